// `node bench/sweep.mjs` (issue 14 item 4): how the cost grows with the data. For each size of the
// reports table, a fresh database seeded by the repo's generator, the systems started as run.mjs starts
// them, the answers cross-checked, the EXPLAIN guard applied on that size (it stops the sweep on a peer's
// failure, as in the full run), then short interleaved rounds of a few workloads. Writes bench/SWEEP.md
// and bench/SWEEP.json after every size (a sweep stopped half-way keeps what it measured), drops the
// database at the end. Shares every piece of measuring with run.mjs (lib/harness.mjs).
//   BENCH_SWEEP_SIZES        reports per size, comma-separated (default 20000,50000,100000,200000)
//   BENCH_SWEEP_WORKLOADS    default W1,W2,W6
//   BENCH_SWEEP_SYSTEMS      default api,pgl-rls,base (also: pgl, api20)
//   BENCH_DURATION, BENCH_RUNS, BENCH_ROUNDS, BENCH_CONNECTIONS   the rounds (default 3 s, 1, 1, 10)
//   BENCH_EXPLAIN_LARGE_ROWS the guard's "large table" (default per size: 2000 below 20,000 reports, else 5000)
//   BENCH_EXPLAIN_ALLOW=api  this API's own failing statements reported instead of stopping
//   BENCH_SKIP_BUILD=1, BENCH_KEEP_DB=1, BENCH_QUIET_BUDGET (seconds, default 60)
//   BENCH_REPO_DIR           a checkout to build, serve and seed from instead of this repo (a copy without
//                            .git may name its commit in a file REVISION)
//   BENCH_SWEEP_OUT          where to write <out>.md and <out>.json (default bench/SWEEP)
//   --report                 only write <out>.md again from <out>.json
// Do not run it at the same time as run.mjs: both start servers on this machine's two cores and share
// the cluster-wide role ctewn_bench_rls.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
// BENCH_REPO_DIR: a checkout (say, of HEAD while the working tree is being edited) whose build, server and
// seed script are measured; default this repo.
const REPO = process.env.BENCH_REPO_DIR ? resolve(process.env.BENCH_REPO_DIR) : dirname(BENCH);
const WORK = join(BENCH, '.work-sweep');
const started = Date.now();
const log = (...a) => console.log(`[sweep ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s]`, ...a);

const { ensureBenchDependencies } = await import('./lib/deps.mjs');
const { node22: NODE22, node22Version } = ensureBenchDependencies(BENCH, log);
const { dbUrl, dropDatabase, loadInputs, psql } = await import('./lib/dataset.mjs');
const { hasTaskset } = await import('./lib/proc.mjs');
const { createIdentity, PERSONAS } = await import('./lib/tokens.mjs');
const { WORKLOADS } = await import('./lib/workloads.mjs');
const { createHarness, defineSystems, prepareData } = await import('./lib/harness.mjs');
const { writeSweep } = await import('./lib/sweep-report.mjs');

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const list = (name, fallback) => (process.env[name] ?? fallback).split(',').map((x) => x.trim()).filter(Boolean);
const PLAN = {
  sizes: list('BENCH_SWEEP_SIZES', '20000,50000,100000,200000').map(Number),
  workloads: list('BENCH_SWEEP_WORKLOADS', 'W1,W2,W6'),
  systems: list('BENCH_SWEEP_SYSTEMS', 'api,pgl-rls,base'),
  runs: num('BENCH_RUNS', 1),
  rounds: num('BENCH_ROUNDS', 1),
  duration: num('BENCH_DURATION', 3),
  warmup: 1,
  connections: num('BENCH_CONNECTIONS', 10),
  // Everything but the reports is the full run's: 40 organizations, 5 years of monthly values.
  scale: { extraOrganizations: 17, years: 5, seed: 1 },
};
// The guard's bound, per size: below the full run's 20,000 reports the quick run's bound, so that a small
// verification sweep guards the same tables a full one does.
const largeRowsFor = (reports) => num('BENCH_EXPLAIN_LARGE_ROWS', reports < 20000 ? 2000 : 5000);
for (const w of PLAN.workloads) if (!WORKLOADS[w] || w === 'W5') throw new Error(`BENCH_SWEEP_WORKLOADS: ${w} is not a read workload (W1-W4, W6, W7)`);
const PORTS = { api: 4301, 'pgl-rls': 4302, pgl: 4303, base: 4304, api20: 4305 };
for (const k of PLAN.systems) if (!PORTS[k]) throw new Error(`BENCH_SWEEP_SYSTEMS: unknown system ${k} (${Object.keys(PORTS).join(', ')})`);
if (!PLAN.systems.includes('api')) throw new Error('BENCH_SWEEP_SYSTEMS must include api: the cross-check compares every system with it');
const DB = 'ctewn_bench_sweep';
const OUT = process.env.BENCH_SWEEP_OUT ? join(process.cwd(), process.env.BENCH_SWEEP_OUT) : join(BENCH, 'SWEEP');

// `node bench/sweep.mjs --report`: write SWEEP.md again from SWEEP.json (after a change of the report).
if (process.argv.includes('--report')) {
  writeSweep(`${OUT}.md`, JSON.parse(readFileSync(`${OUT}.json`, 'utf8')), relative(dirname(OUT), `${OUT}.json`));
  log(`wrote ${relative(process.cwd(), OUT)}.md from its .json`);
  process.exit(0);
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const harness = createHarness({ bench: BENCH, work: WORK, db: DB, node22: NODE22, connections: PLAN.connections, log, quietBudgetSeconds: num('BENCH_QUIET_BUDGET', 60) });

const results = {
  date: new Date().toISOString(),
  command: commandLine(),
  plan: PLAN,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node22: node22Version, postgres: psql('postgres', 'show server_version'), taskset: hasTaskset() },
  api: apiRevision(),
  sizes: [],
  stopped: null,
};

/** Which code of the API was measured: the checkout's commit (and whether src/ had changes), or a copy's REVISION file. */
function apiRevision() {
  try {
    const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return { dir: REPO, commit, dirty };
  } catch {
    return { dir: REPO, commit: existsSync(join(REPO, 'REVISION')) ? readFileSync(join(REPO, 'REVISION'), 'utf8').trim() : 'unknown', dirty: false };
  }
}

/** The command that reproduces this sweep: the knobs that were set, then the script. */
function commandLine() {
  const knobs = Object.keys(process.env).filter((k) => k.startsWith('BENCH_')).sort().map((k) => `${k}=${process.env[k]}`);
  return [...knobs, 'node bench/sweep.mjs'].join(' ');
}

function save() {
  results.elapsedMinutes = (Date.now() - started) / 60000;
  writeFileSync(`${OUT}.json`, JSON.stringify(results, null, 2));
  writeSweep(`${OUT}.md`, results, relative(dirname(OUT), `${OUT}.json`));
}

/** The rows every system with the row rule returned must be the API's: else the sweep compares different work. */
function crossCheck(probe) {
  const out = {};
  for (const w of PLAN.workloads) {
    const ref = probe.parity[w].api;
    out[w] = {};
    for (const key of PLAN.systems.filter((k) => k !== 'api')) {
      const other = probe.parity[w][key];
      const same = ref.every((v, i) => v !== null && v === other[i]);
      out[w][key] = same ? 'same' : `differs (${ref.filter((v, i) => v === null || v !== other[i]).length} of ${ref.length})`;
    }
  }
  return out;
}

async function measureSize(reports, identity) {
  const sizeStarted = Date.now();
  const largeRows = largeRowsFor(reports);
  log(`---- ${reports} reports: database ${DB}, seed`);
  const { seedSeconds, prepareSeconds, dataCounts } = await prepareData({ repo: REPO, bench: BENCH, db: DB, scale: { reports, ...PLAN.scale } });
  log(`seeded in ${seedSeconds.toFixed(1)} s, prepared in ${prepareSeconds.toFixed(1)} s:`, JSON.stringify(dataCounts));
  const entry = { reports, seedSeconds, prepareSeconds, dataCounts, largeRows };
  results.sizes.push(entry);

  const inputs = await loadInputs(DB, PERSONAS.reader);
  const inputsFile = join(WORK, `inputs-${reports}.json`);
  writeFileSync(inputsFile, JSON.stringify(inputs));
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbUrl(DB), ...identity.env };
  const systems = defineSystems({ repo: REPO, bench: BENCH, work: WORK, node22: NODE22, baseEnv, ports: PORTS, only: PLAN.systems });
  entry.systems = systems.map(({ key, label }) => ({ key, label }));
  try {
    for (const s of systems) await harness.startSystem(s);

    log('probe: answers compared');
    const probe = await harness.probeAll(systems, inputs, identity, PLAN.workloads, { scaling: false });
    entry.statements = probe.statements;
    entry.crossCheck = crossCheck(probe);
    entry.probeErrors = probe.errors;
    const differing = Object.entries(entry.crossCheck).flatMap(([w, by]) => Object.entries(by).filter(([key, v]) => key !== 'pgl' && v !== 'same').map(([key, v]) => `${w} ${key}: ${v}`));
    if (probe.errors.length || differing.length) throw new Error(`cross-check at ${reports} reports: ${[...probe.errors, ...differing].join('; ')}`);

    log(`EXPLAIN guard at ${reports} reports`);
    const explain = await harness.explainAll(systems.filter((s) => s.key !== 'api20'), inputs, identity, PLAN.workloads, { largeRows, file: join(WORK, `explain-${reports}.json`) }).catch((error) => {
      entry.guard = { failed: error.message };
      throw error;
    });
    entry.guard = { largeRows, largeTables: explain.largeTables, statements: explain.rows.length, passed: explain.rows.filter((r) => r.pass).length, allowed: explain.rows.filter((r) => r.allowed).map((r) => `${r.label} ${r.workload}: ${r.problems.join('; ')}`) };

    for (const w of PLAN.workloads) for (const s of systems) await harness.load(s, w, { duration: PLAN.warmup, run: 0, round: 0, inputsFile, identity });
    entry.measurements = [];
    for (let run = 1; run <= PLAN.runs; run += 1) {
      for (const w of PLAN.workloads) {
        for (let round = 1; round <= PLAN.rounds; round += 1) {
          for (const s of round % 2 === 1 ? systems : [...systems].reverse()) {
            const m = await harness.load(s, w, { duration: PLAN.duration, run, round, inputsFile, identity });
            entry.measurements.push(m);
            log(`${reports} ${w} run ${run} round ${round} ${s.label.padEnd(22)} ${m.rps.toFixed(1).padStart(7)} req/s  p99 ${m.latency.p99} ms  cpu ${m.serverCpu.toFixed(2)}  pg ${m.pgCpu.toFixed(2)}  other ${m.otherCpu.toFixed(2)}${m.errors ? `  ERRORS ${m.errors}: ${m.errorSamples[0]}` : ''}`);
          }
        }
      }
    }
  } finally {
    for (const s of systems) await harness.stopSystem(s);
    entry.elapsedSeconds = (Date.now() - sizeStarted) / 1000;
    save();
  }
}

let exitCode = 0;
try {
  log(`plan: sizes ${PLAN.sizes.join(', ')}; ${PLAN.workloads.join(', ')}; ${PLAN.systems.join(', ')}; ${PLAN.runs} run(s) × ${PLAN.rounds} round(s) × ${PLAN.duration}s, ${PLAN.connections} connections; taskset ${hasTaskset() ? 'yes' : 'no'}`);
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    log('npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
  const identity = await createIdentity(join(WORK, 'jwks.json'));
  for (const reports of PLAN.sizes) await measureSize(reports, identity);
} catch (error) {
  console.error(error);
  results.stopped = String(error.message ?? error);
  exitCode = 1;
} finally {
  harness.close();
  await harness.stopAll();
  results.quietWaitSeconds = harness.quiet.waitedSeconds;
  save();
  log(`wrote ${relative(process.cwd(), OUT)}.md and .json`);
  if (process.env.BENCH_KEEP_DB !== '1') {
    try {
      dropDatabase(DB);
      log(`dropped database ${DB}`);
    } catch (error) {
      console.error('could not drop the sweep database:', error.message);
    }
  }
  log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  process.exit(exitCode);
}
