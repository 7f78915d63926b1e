// `npm run bench` (repo root): CT-EWN Graph against PostGraphile 5 and a raw-SQL baseline, on one fresh
// PostgreSQL database seeded by the repo's own generator, six workloads, interleaved rounds, two runs.
// Writes bench/RESULTS.md (and the raw figures to bench/.work/results.json), drops the database.
//   BENCH_QUICK=1            ~3-minute smoke run (smaller data, one short run)
//   BENCH_RUNS, BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS   override the plan
//   BENCH_SKIP_BUILD=1       use the existing dist/ of the repo
//   BENCH_POLICY_API_DIR     a checkout whose server honours BENCH_DISABLE_POLICY (default: this repo)
//   BENCH_KEEP_DB=1          keep the database (for inspection)
//   BENCH_EXPLAIN_ALLOW=api  the EXPLAIN guard reports this API's own failing statements instead of stopping
//   BENCH_EXPLAIN_LARGE_ROWS the guard's "large table" (default 10000; 2000 in the quick run)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const WORK = join(BENCH, '.work');
const started = Date.now();
const log = (...a) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s]`, ...a);

// ---- dependencies of the bench itself (never the product's) ----
const NODE22 = join(BENCH, 'node_modules', 'node', 'bin', 'node');
if (!existsSync(join(BENCH, 'node_modules', 'autocannon')) || !existsSync(NODE22)) {
  log('installing the benchmark dependencies (bench/package-lock.json)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: BENCH, stdio: 'inherit' });
}
const { counts, dbUrl, dropDatabase, loadInputs, preparePostGraphile, psql, recreateDatabase, resetWrites, seed, vacuum } = await import('./lib/dataset.mjs');
const { busyCores, hasTaskset, machineTicks, startPinned, stop, waitForHttp } = await import('./lib/proc.mjs');
const { createIdentity, PERSONAS } = await import('./lib/tokens.mjs');
const { fingerprint, PAGE, requestFor, variablesFor, WORKLOADS } = await import('./lib/workloads.mjs');
const { summarizeProfile } = await import('./lib/profile.mjs');
const { writeResults } = await import('./lib/report.mjs');
const { createLoadWorker } = await import('./lib/load-worker.mjs');
const { explainCaptured, readCapture, tableFacts } = await import('./lib/explain.mjs');

const QUICK = process.env.BENCH_QUICK === '1';
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const PLAN = {
  quick: QUICK,
  runs: num('BENCH_RUNS', QUICK ? 1 : 2),
  rounds: num('BENCH_ROUNDS', QUICK ? 1 : 2),
  duration: num('BENCH_DURATION', QUICK ? 2 : 4),
  warmup: QUICK ? 1 : 2,
  connections: num('BENCH_CONNECTIONS', 10),
  scale: QUICK ? { reports: 5000, extraOrganizations: 17, years: 5, seed: 1 } : { reports: 20000, extraOrganizations: 17, years: 5, seed: 1 },
  policyRounds: 1,
  profileSeconds: QUICK ? 2 : 5,
  // The EXPLAIN guard's "large table": the quick run's 5,000 reports must count too, or it would prove nothing.
  explainLargeRows: num('BENCH_EXPLAIN_LARGE_ROWS', QUICK ? 2000 : 10000),
};
const DB = 'ctewn_bench';
const workloads = Object.keys(WORKLOADS);
const node22Version = execFileSync(NODE22, ['-v'], { encoding: 'utf8' }).trim();
if (!node22Version.startsWith('v22')) throw new Error(`bench/node_modules/node is ${node22Version}, not Node 22`);

// `node bench/run.mjs --report`: write RESULTS.md again from the last run's figures (after editing NOTES.md).
if (process.argv.includes('--report')) {
  writeResults(join(BENCH, 'RESULTS.md'), JSON.parse(readFileSync(join(WORK, 'results.json'), 'utf8')), readFileSync(join(BENCH, 'NOTES.md'), 'utf8'));
  log('wrote bench/RESULTS.md from bench/.work/results.json');
  process.exit(0);
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

const servers = [];
let loadWorker;

async function main() {
  log(`plan: ${PLAN.runs} run(s) × ${PLAN.rounds} round(s) × ${PLAN.duration}s, ${PLAN.connections} connections${QUICK ? ' (BENCH_QUICK)' : ''}; taskset ${hasTaskset() ? 'yes' : 'no'}`);
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    log('npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'inherit' });
  }

  log(`database ${DB}: create, seed (${JSON.stringify(PLAN.scale)})`);
  recreateDatabase(DB);
  const seedStarted = Date.now();
  seed(REPO, DB, PLAN.scale);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  preparePostGraphile(DB, join(BENCH, 'sql', 'postgraphile.sql'));
  vacuum(DB);
  const dataCounts = await counts(DB);
  log('rows:', JSON.stringify(dataCounts));

  const identity = await createIdentity(join(WORK, 'jwks.json'));
  const inputs = await loadInputs(DB, PERSONAS.reader);
  const inputsFile = join(WORK, 'inputs.json');
  writeFileSync(inputsFile, JSON.stringify(inputs));

  // ---- the systems, each pinned to core 0 ----
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbUrl(DB), ...identity.env };
  const apiEnv = {
    ...baseEnv,
    NODE_ENV: 'development', // exposes x-sql-statements
    HOST: '127.0.0.1',
    RATE_LIMIT_REQUESTS_PER_MIN: '0',
    RATE_LIMIT_COST_PER_MIN: '0',
    LOG_LEVEL: 'info',
    SEED_SAMPLE_DATA: 'false',
    MAX_FUTURE_PERIODS: 'unlimited', // W5 writes periods from 2100 on, clear of the data set
  };
  // Every system is started with lib/sql-capture.mjs preloaded (off until the EXPLAIN guard turns it on).
  const captured = (key, args) => ({ args: ['--import', pathToFileURL(join(BENCH, 'lib', 'sql-capture.mjs')).href, ...args], capture: join(WORK, `${key}.sql.jsonl`) });
  const SYSTEMS = [
    { key: 'api', label: 'CT-EWN (Node 22)', kind: 'api', port: 4201, cmd: NODE22, ...captured('api', ['dist/src/main.js']), cwd: REPO, env: apiEnv },
    { key: 'pgl-rls', label: 'PostGraphile + RLS', kind: 'pgl', port: 4202, cmd: NODE22, ...captured('pgl-rls', [join(BENCH, 'servers/postgraphile.mjs')]), cwd: BENCH, env: { ...baseEnv, PGL_RLS: '1', GRAPHILE_ENV: 'production' } },
    { key: 'pgl', label: 'PostGraphile (no RLS)', kind: 'pgl', port: 4203, cmd: NODE22, ...captured('pgl', [join(BENCH, 'servers/postgraphile.mjs')]), cwd: BENCH, env: { ...baseEnv, PGL_RLS: '0', GRAPHILE_ENV: 'production' } },
    { key: 'base', label: 'raw SQL baseline', kind: 'base', port: 4204, cmd: NODE22, ...captured('base', [join(BENCH, 'servers/baseline.mjs')]), cwd: BENCH, env: baseEnv },
    { key: 'api20', label: 'CT-EWN (Node 20)', kind: 'api', port: 4205, cmd: process.execPath, ...captured('api20', ['dist/src/main.js']), cwd: REPO, env: apiEnv },
  ];
  for (const s of SYSTEMS) await startSystem(s);
  const node20Version = process.version;

  // ---- probe: correctness, parity and exact statements per request, one request at a time ----
  log('probe: statements per request, answers compared');
  const probe = await probeAll(SYSTEMS, inputs, identity);
  resetWrites(DB);

  // ---- the fairness guard: EXPLAIN every statement of every system and workload; stop if one is unfair ----
  log('EXPLAIN guard: every statement of every system and workload, on this data');
  const explain = await explainAll(SYSTEMS.filter((s) => s.key !== 'api20'), inputs, identity);
  resetWrites(DB);

  // ---- warm-up (JIT, pools, caches), not measured ----
  log('warm-up');
  for (const w of workloads) {
    for (const s of SYSTEMS) {
      await load(s, w, { duration: PLAN.warmup, run: 0, round: 0, inputsFile, identity });
      if (w === 'W5') resetWrites(DB);
    }
  }

  // ---- measured runs: per workload, rounds of every system in turn (order reversed every other round) ----
  const measurements = [];
  for (let run = 1; run <= PLAN.runs; run += 1) {
    for (const w of workloads) {
      for (let round = 1; round <= PLAN.rounds; round += 1) {
        const order = round % 2 === 1 ? SYSTEMS : [...SYSTEMS].reverse();
        for (const s of order) {
          const m = await load(s, w, { duration: PLAN.duration, run, round, inputsFile, identity });
          measurements.push(m);
          log(`run ${run} ${w} round ${round} ${s.label.padEnd(22)} ${m.rps.toFixed(1).padStart(7)} req/s  p50 ${m.latency.p50} ms  p99 ${m.latency.p99} ms  cpu ${m.serverCpu.toFixed(2)}  pg ${m.pgCpu.toFixed(2)}  rss ${m.peakRssMb.toFixed(0)} MB  other ${m.otherCpu.toFixed(2)}${m.errors ? `  ERRORS ${m.errors}: ${m.errorSamples[0]}` : ''}`);
          if (w === 'W5') resetWrites(DB);
        }
      }
    }
  }

  // ---- the authorization layer: policy on vs off (needs the BENCH_DISABLE_POLICY switch) ----
  for (const s of SYSTEMS.filter((x) => x.key !== 'api')) await stopSystem(s);
  const policy = await measurePolicy(apiEnv, inputsFile, identity);

  // ---- where the time goes: a CPU profile of the API under W1, W4, W6 ----
  for (const s of SYSTEMS) await stopSystem(s);
  const profile = await profileApi(apiEnv, inputsFile, identity);

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node22: node22Version,
    node20: node20Version,
    postgres: psql('postgres', 'show server_version'),
    taskset: hasTaskset(),
  };
  const results = { date: new Date().toISOString(), quietWaitSeconds: quiet.waitedSeconds, plan: PLAN, machine, dataCounts, seedSeconds, systems: SYSTEMS.map(({ key, label, kind }) => ({ key, label, kind })), probe, explain, measurements, policy, profile, elapsedMinutes: (Date.now() - started) / 60000 };
  writeFileSync(join(WORK, 'results.json'), JSON.stringify(results, null, 2));
  writeResults(join(BENCH, 'RESULTS.md'), results, readFileSync(join(BENCH, 'NOTES.md'), 'utf8'));
  log('wrote bench/RESULTS.md');
}

async function startSystem(s, extraArgs = [], extraEnv = {}) {
  const capture = s.capture ? { BENCH_SQL_CAPTURE: s.capture } : {};
  s.proc = startPinned(0, s.cmd, [...extraArgs, ...s.args], { env: { ...s.env, ...capture, ...extraEnv, PORT: String(s.port) }, cwd: s.cwd, log: join(WORK, `${s.key}.log`) });
  servers.push(s);
  await waitForHttp(s.kind === 'api' ? `http://127.0.0.1:${s.port}/healthz` : `http://127.0.0.1:${s.port}/__stats`, { proc: s.proc });
}

async function stopSystem(s) {
  if (!s.proc) return;
  await stop(s.proc);
  servers.splice(servers.indexOf(s), 1);
  s.proc = undefined;
}

const statsUrl = (s) => (s.kind === 'api' ? null : `http://127.0.0.1:${s.port}/__stats`);
const tokenFor = (w, identity) => (w === 'W5' ? identity.tokens.writer : identity.tokens.reader);

/**
 * This machine may be shared (other programs, test suites): before a measured round, wait a little for
 * the CPU to be free, within a bounded budget, and record what was seen (the report flags busy rounds).
 */
const quiet = { budgetSeconds: num('BENCH_QUIET_BUDGET', QUICK ? 20 : 90), waitedSeconds: 0 };
async function awaitQuiet() {
  const sample = async () => {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 300));
    return busyCores(a, machineTicks(), cpus().length);
  };
  let busy = await sample();
  let waited = 0;
  while (busy > 0.35 && waited < 20 && quiet.waitedSeconds < quiet.budgetSeconds) {
    busy = await sample();
    waited += 1;
    quiet.waitedSeconds += 1;
  }
  if (waited > 0) log(`waited ${waited}s for a quieter machine (busy ${busy.toFixed(2)} cores before the round)`);
  return busy;
}

/** One round: a load process on core 1 against one system. */
async function load(s, w, { duration, run, round, inputsFile, identity, label = s.label, options = {} }) {
  const busyBefore = run > 0 ? await awaitQuiet() : null;
  const spec = {
    system: s.kind,
    label,
    workload: w,
    run,
    round,
    url: `http://127.0.0.1:${s.port}`,
    statsUrl: statsUrl(s),
    token: tokenFor(w, identity),
    writer: PERSONAS.writer,
    connections: PLAN.connections,
    duration,
    serverPid: s.proc.pid,
    inputsFile,
    database: DB,
    options: { ...options, keyPrefix: `bench-${s.key}-${run}-${round}` },
  };
  loadWorker ??= createLoadWorker(NODE22, BENCH);
  return { ...(await loadWorker.run(spec)), key: s.key, busyBefore };
}

async function send(s, w, vars, identity) {
  const { path, body } = requestFor(s.kind, w, vars, PERSONAS.writer);
  const before = s.kind === 'api' ? null : (await (await fetch(statsUrl(s))).json()).statements;
  const res = await fetch(`http://127.0.0.1:${s.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${tokenFor(w, identity)}` },
    body,
  });
  const text = await res.text();
  const statements = s.kind === 'api' ? Number(res.headers.get('x-sql-statements')) : (await (await fetch(statsUrl(s))).json()).statements - before;
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // reported below
  }
  return { status: res.status, statements, bytes: text.length, json, error: res.status !== 200 || !json || json.errors ? text.slice(0, 300) : null };
}

async function probeAll(systems, inputs, identity) {
  const out = { statements: {}, bytes: {}, errors: [], parity: {}, scaling: {} };
  for (const w of workloads) {
    out.statements[w] = {};
    out.bytes[w] = {};
    out.parity[w] = {};
    for (const s of systems) {
      const samples = [];
      for (let k = 0; k < 3; k += 1) {
        const r = await send(s, w, variablesFor(w, k, inputs, { keyPrefix: `bench-probe-${s.key}` }), identity);
        if (r.error) out.errors.push(`${s.label} ${w}: ${r.error}`);
        samples.push(r);
      }
      if (w === 'W5') resetWrites(DB);
      out.statements[w][s.key] = samples.map((r) => r.statements);
      out.bytes[w][s.key] = samples[0].bytes;
      out.parity[w][s.key] = samples.map((r) => fingerprint(s.kind, w, r.json));
    }
  }
  // Statements as the page grows: the same request with smaller and larger pages.
  const sizes = { W1: [{ first: 10 }, { first: 50 }, { first: 100 }], W2: [{ n: 3 }, { n: 12 }, { n: 24 }], W4: [{ n: 2 }, { n: 10 }, { n: 20 }], W6: [{ first: 5 }, { first: 20 }, { first: 50 }] };
  for (const [w, list] of Object.entries(sizes)) {
    out.scaling[w] = {};
    for (const s of systems.filter((x) => x.key !== 'api20')) {
      out.scaling[w][s.key] = [];
      for (const options of list) {
        const r = await send(s, w, variablesFor(w, 0, inputs, options), identity);
        if (r.error) out.errors.push(`${s.label} ${w} ${JSON.stringify(options)}: ${r.error}`);
        out.scaling[w][s.key].push({ ...options, statements: r.statements });
      }
    }
  }
  for (const e of out.errors) log('probe error:', e);
  return out;
}

/** Turns a system's statement capture on or off (SIGUSR2) and waits until it says so in its file. */
async function setCapture(s, on) {
  const state = () => {
    if (!existsSync(s.capture)) return 'off';
    const markers = readFileSync(s.capture, 'utf8').split('\n').filter((l) => l.startsWith('{"capture"'));
    return markers.length ? JSON.parse(markers[markers.length - 1]).capture : 'off';
  };
  if (state() === (on ? 'on' : 'off')) return;
  process.kill(s.proc.pid, 'SIGUSR2');
  const deadline = Date.now() + 5000;
  while (state() !== (on ? 'on' : 'off')) {
    if (Date.now() > deadline) throw new Error(`${s.label}: the SQL capture did not answer SIGUSR2`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The EXPLAIN guard (lib/explain.mjs): per system and workload, one request with the statement capture
 * on, then every statement it sent is EXPLAINed on this data. A failing statement stops the run, with
 * the summary in bench/.work/explain.json; a passing run's summary goes into RESULTS.md.
 */
async function explainAll(systems, inputs, identity) {
  const facts = await tableFacts(dbUrl(DB), PLAN.explainLargeRows);
  log(`large tables (> ${PLAN.explainLargeRows} rows): ${[...facts.large].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  const rows = [];
  for (const w of workloads) {
    for (const s of systems) {
      await setCapture(s, true);
      const r = await send(s, w, variablesFor(w, 0, inputs, { keyPrefix: `bench-explain-${s.key}` }), identity);
      await new Promise((done) => setTimeout(done, 300)); // statements a request leaves behind (the access log's batch)
      await setCapture(s, false);
      if (r.error) throw new Error(`EXPLAIN guard: ${s.label} ${w} answered with an error: ${r.error}`);
      const plans = await explainCaptured(dbUrl(DB), readCapture(s.capture), { page: PAGE_OF[w], facts, search: w === 'W6' });
      if (plans.length === 0) throw new Error(`EXPLAIN guard: no statement captured for ${s.label} ${w}`);
      for (const p of plans) rows.push({ system: s.key, label: s.label, workload: w, ...p });
      const failed = plans.filter((p) => !p.pass);
      log(`  ${w} ${s.label.padEnd(22)} ${plans.length} statement(s)${failed.length ? `, FAILED: ${failed.flatMap((p) => p.problems).join('; ')}` : ', pass'}`);
    }
  }
  // BENCH_EXPLAIN_ALLOW=api lets this API's own failing statements through (reported, marked allowed):
  // they slow the API only, so they cannot make the comparison flatter it. A peer's failure always stops.
  const allow = new Set((process.env.BENCH_EXPLAIN_ALLOW ?? '').split(',').filter((k) => k === 'api'));
  for (const r of rows) if (!r.pass && allow.has(r.system)) r.allowed = true;
  const out = { largeRows: PLAN.explainLargeRows, largeTables: Object.fromEntries(facts.large), allowed: [...allow], rows };
  writeFileSync(join(WORK, 'explain.json'), JSON.stringify(out, null, 2));
  for (const f of rows.filter((r) => r.allowed)) log(`EXPLAIN guard (allowed, BENCH_EXPLAIN_ALLOW): ${f.label} ${f.workload}: ${f.problems.join('; ')}`);
  const failed = rows.filter((r) => !r.pass && !r.allowed);
  if (failed.length > 0) {
    for (const f of failed) console.error(`EXPLAIN guard: ${f.label} ${f.workload}: ${f.problems.join('; ')}\n  plan: ${f.nodes}\n  sql: ${f.statement.slice(0, 600)}`);
    throw new Error(`EXPLAIN guard: ${failed.length} statement(s) read a whole large table or sort more than their page (bench/.work/explain.json); the comparison would not be fair`);
  }
  return out;
}

/**
 * The page each workload returns, per list: the guard's bound for a Sort. W3 has no page: one report's
 * short lists (its countries, its indicators, one latest value per series), a few rows each.
 */
const PAGE_OF = { W1: PAGE.W1, W2: PAGE.W2, W3: 10, W4: PAGE.W4.reports, W5: PAGE.W5, W6: PAGE.W6 };

/**
 * Policy on vs off: the same build started twice, once with BENCH_DISABLE_POLICY=1. The product must
 * honour the switch (outside production only); if it does not, the phase is skipped and says so.
 */
async function measurePolicy(apiEnv, inputsFile, identity) {
  const dir = process.env.BENCH_POLICY_API_DIR || REPO;
  const on = { key: 'policy-on', label: 'policy on', kind: 'api', port: 4211, cmd: NODE22, args: ['dist/src/main.js'], cwd: dir, env: apiEnv };
  const off = { key: 'policy-off', label: 'policy off', kind: 'api', port: 4212, cmd: NODE22, args: ['dist/src/main.js'], cwd: dir, env: { ...apiEnv, BENCH_DISABLE_POLICY: '1' } };
  await startSystem(on);
  await startSystem(off);
  try {
    // A field the reader is refused (Report.sourceDescription on another organization's report):
    // FORBIDDEN with the policy, served without it.
    const probe = async (s) => {
      const res = await fetch(`http://127.0.0.1:${s.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${identity.tokens.reader}` },
        body: JSON.stringify({ query: '{ reports(first: 5, filter: { author: "unodc", tlp: GREEN }) { edges { node { id sourceDescription } } } }' }),
      });
      const json = await res.json();
      return Boolean(json.errors?.some((e) => e.extensions?.code === 'FORBIDDEN'));
    };
    const enforcedOn = await probe(on);
    const enforcedOff = await probe(off);
    if (!enforcedOn || enforcedOff) {
      log(`policy phase skipped: the server in ${dir} does not honour BENCH_DISABLE_POLICY`);
      return { skipped: true, dir, reason: enforcedOn ? 'BENCH_DISABLE_POLICY is not honoured by this build (see NOTES.md for the switch to add)' : 'the policy did not refuse a field it should refuse' };
    }
    log(`policy phase: ${dir}`);
    const rows = [];
    for (const w of workloads) {
      for (const s of [on, off]) {
        await load(s, w, { duration: PLAN.warmup, run: 0, round: 0, inputsFile, identity });
        if (w === 'W5') resetWrites(DB);
      }
    }
    for (let run = 1; run <= PLAN.runs; run += 1) {
      for (const w of workloads) {
        for (let round = 1; round <= PLAN.policyRounds; round += 1) {
          for (const s of round % 2 === 1 ? [on, off] : [off, on]) {
            const m = await load(s, w, { duration: PLAN.duration, run, round, inputsFile, identity });
            rows.push(m);
            log(`policy run ${run} ${w} round ${round} ${s.label.padEnd(10)} ${m.rps.toFixed(1).padStart(7)} req/s  p99 ${m.latency.p99} ms${m.errors ? `  errors ${m.errors}` : ''}`);
            if (w === 'W5') resetWrites(DB);
          }
        }
      }
    }
    return { skipped: false, dir, rows };
  } finally {
    await stopSystem(on);
    await stopSystem(off);
  }
}

/** node --cpu-prof on the API while it serves W1, W4 and W6 in turn; the profile is written at exit. */
async function profileApi(apiEnv, inputsFile, identity) {
  const dir = join(WORK, 'profile');
  mkdirSync(dir, { recursive: true });
  const s = { key: 'profile', label: 'CT-EWN (profiled)', kind: 'api', port: 4221, cmd: NODE22, args: ['dist/src/main.js'], cwd: REPO, env: apiEnv };
  await startSystem(s, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const loads = [];
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  for (const w of ['W1', 'W4', 'W6']) loads.push(await load(s, w, { duration: PLAN.profileSeconds, run: 0, round: 0, inputsFile, identity }));
  const toUs = Number(process.hrtime.bigint() / 1000n);
  await stopSystem(s);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return { error: 'no profile written' };
  log('profile written');
  return { workloads: ['W1', 'W4', 'W6'], seconds: PLAN.profileSeconds, rps: loads.map((m) => ({ workload: m.workload, rps: m.rps })), ...summarizeProfile(join(dir, file), 30, { fromUs, toUs }) };
}

// ---- run, and always clean up: servers stopped, database dropped ----
let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  loadWorker?.close();
  for (const s of servers) await stop(s.proc).catch(() => undefined);
  if (process.env.BENCH_KEEP_DB !== '1') {
    try {
      dropDatabase(DB);
      log(`dropped database ${DB}`);
    } catch (error) {
      console.error('could not drop the benchmark database:', error.message);
    }
  }
  log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  process.exit(exitCode);
}
