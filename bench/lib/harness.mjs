// The pieces of a benchmark run that run.mjs (the full comparison) and sweep.mjs (the size sweep) share:
// the data set, the systems and their processes, one load round, one request, the probe (statements per
// request and the cross-check of answers) and the EXPLAIN guard. Each run builds one harness for its
// database, work directory and plan, so two kinds of run cannot drift apart in how they measure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { counts, dbUrl, preparePostGraphile, recreateDatabase, resetWrites, seed, vacuum } from './dataset.mjs';
import { explainCaptured, readCapture, tableFacts } from './explain.mjs';
import { createLoadWorker } from './load-worker.mjs';
import { busyCores, machineTicks, startPinned, stop, waitForHttp } from './proc.mjs';
import { PERSONAS } from './tokens.mjs';
import { fingerprint, PAGE, requestFor, variablesFor } from './workloads.mjs';

/**
 * The page each workload returns, per list: the guard's bound for a Sort. W3 has no page: one report's
 * short lists (its countries, its indicators, one latest value per series), a few rows each. W7's page is
 * a topic's reports; its other lists are one row per series (a source's latest value, picked from the
 * pair's few dozen values: below the guard's floor of 100).
 */
export const PAGE_OF = { W1: PAGE.W1, W2: PAGE.W2, W3: 10, W4: PAGE.W4.reports, W5: PAGE.W5, W6: PAGE.W6, W7: PAGE.W7 };

/** A fresh database seeded by the repo's own generator, prepared for PostGraphile, analyzed. */
export async function prepareData({ repo, bench, db, scale }) {
  recreateDatabase(db);
  const seedStarted = Date.now();
  seed(repo, db, scale);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  const prepareStarted = Date.now();
  preparePostGraphile(db, join(bench, 'sql', 'postgraphile.sql'));
  vacuum(db);
  return { seedSeconds, prepareSeconds: (Date.now() - prepareStarted) / 1000, dataCounts: await counts(db) };
}

/** The environment of this API's server under load (the same for every run that starts it). */
export function apiEnvFor(baseEnv) {
  return {
    ...baseEnv,
    NODE_ENV: 'development', // exposes x-sql-statements
    HOST: '127.0.0.1',
    RATE_LIMIT_REQUESTS_PER_MIN: '0',
    RATE_LIMIT_COST_PER_MIN: '0',
    LOG_LEVEL: 'info',
    SEED_SAMPLE_DATA: 'false',
    MAX_FUTURE_PERIODS: 'unlimited', // W5 writes periods from 2100 on, clear of the data set
  };
}

/**
 * The systems compared, each pinned to core 0 when started, with lib/sql-capture.mjs preloaded (off
 * until the EXPLAIN guard turns it on). `ports` maps a key to its port; `only` picks some of them.
 */
export function defineSystems({ repo, bench, work, node22, baseEnv, ports, only }) {
  const apiEnv = apiEnvFor(baseEnv);
  const captured = (key, args) => ({ args: ['--import', pathToFileURL(join(bench, 'lib', 'sql-capture.mjs')).href, ...args], capture: join(work, `${key}.sql.jsonl`) });
  const all = [
    { key: 'api', label: 'CT-EWN (Node 22)', kind: 'api', cmd: node22, ...captured('api', ['dist/src/main.js']), cwd: repo, env: apiEnv },
    { key: 'pgl-rls', label: 'PostGraphile + RLS', kind: 'pgl', cmd: node22, ...captured('pgl-rls', [join(bench, 'servers/postgraphile.mjs')]), cwd: bench, env: { ...baseEnv, PGL_RLS: '1', GRAPHILE_ENV: 'production' } },
    { key: 'pgl', label: 'PostGraphile (no RLS)', kind: 'pgl', cmd: node22, ...captured('pgl', [join(bench, 'servers/postgraphile.mjs')]), cwd: bench, env: { ...baseEnv, PGL_RLS: '0', GRAPHILE_ENV: 'production' } },
    { key: 'base', label: 'raw SQL baseline', kind: 'base', cmd: node22, ...captured('base', [join(bench, 'servers/baseline.mjs')]), cwd: bench, env: baseEnv },
    { key: 'api20', label: 'CT-EWN (Node 20)', kind: 'api', cmd: process.execPath, ...captured('api20', ['dist/src/main.js']), cwd: repo, env: apiEnv },
  ];
  return all.filter((s) => !only || only.includes(s.key)).map((s) => ({ ...s, port: ports[s.key] }));
}

/**
 * One run's machinery for database `db`: servers it started (stopped by stopAll), the load process,
 * the idle-machine wait with its budget, and the probe and guard over the given workloads.
 */
export function createHarness({ bench, work, db, node22, connections, log, quietBudgetSeconds }) {
  const servers = [];
  /** Which period range the next load writes W5 in (400 months each, from 2100 on: years stay four-digit). */
  let loadSlot = 0;
  let loadWorker;
  const statsUrl = (s) => (s.kind === 'api' ? null : `http://127.0.0.1:${s.port}/__stats`);
  const tokenFor = (w, identity) => (w === 'W5' ? identity.tokens.writer : identity.tokens.reader);

  async function startSystem(s, extraArgs = [], extraEnv = {}) {
    const capture = s.capture ? { BENCH_SQL_CAPTURE: s.capture } : {};
    s.proc = startPinned(0, s.cmd, [...extraArgs, ...s.args], { env: { ...s.env, ...capture, ...extraEnv, PORT: String(s.port) }, cwd: s.cwd, log: join(work, `${s.key}.log`) });
    servers.push(s);
    await waitForHttp(s.kind === 'api' ? `http://127.0.0.1:${s.port}/healthz` : `http://127.0.0.1:${s.port}/__stats`, { proc: s.proc });
  }

  async function stopSystem(s) {
    if (!s.proc) return;
    await stop(s.proc);
    servers.splice(servers.indexOf(s), 1);
    s.proc = undefined;
  }

  async function stopAll() {
    for (const s of [...servers]) await stopSystem(s).catch(() => undefined);
  }

  /**
   * This machine may be shared (other programs, test suites): before a measured round, wait a little for
   * the CPU to be free, within a bounded budget, and record what was seen (the report flags busy rounds).
   */
  const quiet = { budgetSeconds: quietBudgetSeconds, waitedSeconds: 0 };
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
      connections,
      duration,
      serverPid: s.proc.pid,
      inputsFile,
      database: db,
      // Each load writes W5's values in periods of its own: a write still in flight when the previous
      // system's round ended can commit after the reset, and must not collide with this round's values.
      options: { ...options, keyPrefix: `bench-${s.key}-${run}-${round}`, periodBase: (loadSlot++ % 90) * 400 },
    };
    loadWorker ??= createLoadWorker(node22, bench);
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

  /**
   * Correctness, parity and exact statements per request, one request at a time: three requests per
   * workload and system, each answer reduced to its ids (lib/workloads.mjs fingerprint). `scaling`: the
   * same request with smaller and larger pages, statements counted (systems without api20).
   */
  async function probeAll(systems, inputs, identity, workloads, { scaling = true } = {}) {
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
        if (w === 'W5') resetWrites(db);
        out.statements[w][s.key] = samples.map((r) => r.statements);
        out.bytes[w][s.key] = samples[0].bytes;
        out.parity[w][s.key] = samples.map((r) => fingerprint(s.kind, w, r.json));
      }
    }
    if (scaling) {
      const sizes = { W1: [{ first: 10 }, { first: 50 }, { first: 100 }], W2: [{ n: 3 }, { n: 12 }, { n: 24 }], W4: [{ n: 2 }, { n: 10 }, { n: 20 }], W6: [{ first: 5 }, { first: 20 }, { first: 50 }], W7: [{ n: 1 }, { n: 2 }, { n: 10 }] };
      for (const [w, list] of Object.entries(sizes).filter(([x]) => workloads.includes(x))) {
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
   * on, then every statement it sent is EXPLAINed on this data. A failing statement stops the run (it
   * throws), with the summary in `file`; a passing run returns the summary.
   * BENCH_EXPLAIN_ALLOW=api lets this API's own failing statements through (reported, marked allowed):
   * they slow the API only, so they cannot make the comparison flatter it. A peer's failure always stops.
   */
  async function explainAll(systems, inputs, identity, workloads, { largeRows, file }) {
    const facts = await tableFacts(dbUrl(db), largeRows);
    log(`large tables (> ${largeRows} rows): ${[...facts.large].map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const rows = [];
    for (const w of workloads) {
      for (const s of systems) {
        await setCapture(s, true);
        const r = await send(s, w, variablesFor(w, 0, inputs, { keyPrefix: `bench-explain-${s.key}` }), identity);
        await new Promise((done) => setTimeout(done, 300)); // statements a request leaves behind (the access log's batch)
        await setCapture(s, false);
        if (r.error) throw new Error(`EXPLAIN guard: ${s.label} ${w} answered with an error: ${r.error}`);
        const plans = await explainCaptured(dbUrl(db), readCapture(s.capture), { page: PAGE_OF[w], facts, search: w === 'W6' });
        if (plans.length === 0) throw new Error(`EXPLAIN guard: no statement captured for ${s.label} ${w}`);
        for (const p of plans) rows.push({ system: s.key, label: s.label, workload: w, ...p });
        // Every system writes the same W5 batch: the next one must find those values new, as in the rounds
        // (PostGraphile inserts rows, and one value of a source in force per period is a unique index now).
        if (w === 'W5') resetWrites(db);
        const failed = plans.filter((p) => !p.pass);
        log(`  ${w} ${s.label.padEnd(22)} ${plans.length} statement(s)${failed.length ? `, FAILED: ${failed.flatMap((p) => p.problems).join('; ')}` : ', pass'}`);
      }
    }
    const allow = new Set((process.env.BENCH_EXPLAIN_ALLOW ?? '').split(',').filter((k) => k === 'api'));
    for (const r of rows) if (!r.pass && allow.has(r.system)) r.allowed = true;
    const out = { largeRows, largeTables: Object.fromEntries(facts.large), allowed: [...allow], rows };
    writeFileSync(file, JSON.stringify(out, null, 2));
    for (const f of rows.filter((r) => r.allowed)) log(`EXPLAIN guard (allowed, BENCH_EXPLAIN_ALLOW): ${f.label} ${f.workload}: ${f.problems.join('; ')}`);
    const failed = rows.filter((r) => !r.pass && !r.allowed);
    if (failed.length > 0) {
      for (const f of failed) console.error(`EXPLAIN guard: ${f.label} ${f.workload}: ${f.problems.join('; ')}\n  plan: ${f.nodes}\n  sql: ${f.statement.slice(0, 600)}`);
      throw new Error(`EXPLAIN guard: ${failed.length} statement(s) read a whole large table or sort more than their page (${file}); the comparison would not be fair`);
    }
    return out;
  }

  return {
    servers,
    quiet,
    startSystem,
    stopSystem,
    stopAll,
    load,
    send,
    probeAll,
    explainAll,
    close: () => loadWorker?.close(),
  };
}
