// A/B of CT-EWN builds or settings, with the benchmark's workloads and method (interleaved rounds, server
// on core 0, load on core 1): to measure a product change before making it.
//   node bench/compare.mjs [--dir /path/to/checkout] [--workloads W1,W4] [--rounds 3] [--duration 4]
//                          [--keep-db] NAME=ENV[,ENV…] NAME=ENV[,ENV…] …
// e.g. node bench/compare.mjs --dir /tmp/ctewn-exp before= after=EXP_NULLS_LAST=1
// Each variant is `node dist/src/main.js` in --dir (default: this repo, built as it is) with the given
// extra environment; a variant written DIR:NAME=ENV runs from another checkout. The database
// ctewn_bench_compare is created and seeded (unless --keep-db finds it), and dropped unless --keep-db.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dbUrl, dropDatabase, loadInputs, preparePostGraphile, psql, recreateDatabase, resetWrites, seed, vacuum } from './lib/dataset.mjs';
import { startPinned, stop, waitForHttp } from './lib/proc.mjs';
import { createIdentity, PERSONAS } from './lib/tokens.mjs';
import { aggregate } from './lib/report.mjs';
import { apiEnvFor } from './lib/harness.mjs';
import { createLoadWorker } from './lib/load-worker.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const WORK = join(BENCH, '.work', 'compare');
const NODE22 = join(BENCH, 'node_modules', 'node', 'bin', 'node');
mkdirSync(WORK, { recursive: true });

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: REPO },
    workloads: { type: 'string', default: 'W1,W2,W3,W4,W5,W6,W7' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    'keep-db': { type: 'boolean', default: false },
    node: { type: 'string', default: NODE22 },
  },
});
const DB = 'ctewn_bench_compare';
const variants = positionals.map((p, i) => {
  const [dirPart, rest] = p.includes(':') && p.indexOf(':') < p.indexOf('=') ? [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)] : [values.dir, p];
  const name = rest.slice(0, rest.indexOf('='));
  const env = Object.fromEntries(
    rest
      .slice(rest.indexOf('=') + 1)
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { key: name, label: name, kind: 'api', dir: dirPart, env, port: 4301 + i };
});
if (variants.length < 2) throw new Error('give at least two variants: NAME=ENV NAME=ENV');

const exists = psql('postgres', `select count(*) from pg_database where datname = '${DB}'`) === '1';
if (!(values['keep-db'] && exists)) {
  recreateDatabase(DB);
  seed(REPO, DB, { reports: 20000, extraOrganizations: 17, years: 5, seed: 1 });
  preparePostGraphile(DB, join(BENCH, 'sql', 'postgraphile.sql'));
  vacuum(DB);
}
const identity = await createIdentity(join(WORK, 'jwks.json'));
const inputsFile = join(WORK, 'inputs.json');
writeFileSync(inputsFile, JSON.stringify(await loadInputs(DB, PERSONAS.reader)));
const apiEnv = apiEnvFor({ PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbUrl(DB), ...identity.env });

const rows = [];
const worker = createLoadWorker(NODE22, BENCH);
try {
  for (const v of variants) {
    if (!existsSync(join(v.dir, 'dist/src/main.js'))) throw new Error(`${v.dir} has no dist/src/main.js (npm run build there)`);
    v.proc = startPinned(0, values.node, ['dist/src/main.js'], { env: { ...apiEnv, ...v.env, PORT: String(v.port) }, cwd: v.dir, log: join(WORK, `${v.key}.log`) });
    await waitForHttp(`http://127.0.0.1:${v.port}/healthz`, { proc: v.proc });
  }
  const load = async (v, w, duration, round) => {
    const spec = {
      system: 'api', label: v.label, workload: w, run: 1, round, url: `http://127.0.0.1:${v.port}`, statsUrl: null,
      token: w === 'W5' ? identity.tokens.writer : identity.tokens.reader, writer: PERSONAS.writer,
      connections: Number(values.connections), duration, serverPid: v.proc.pid, inputsFile, database: DB,
      options: { keyPrefix: `bench-${v.key}-${round}` },
    };
    const out = await worker.run(spec);
    if (w === 'W5') resetWrites(DB);
    return { ...out, key: v.key };
  };
  const workloads = values.workloads.split(',');
  for (const w of workloads) for (const v of variants) await load(v, w, 2, 0);
  for (const w of workloads) {
    for (let round = 1; round <= Number(values.rounds); round += 1) {
      for (const v of round % 2 ? variants : [...variants].reverse()) {
        const m = await load(v, w, Number(values.duration), round);
        rows.push(m);
        console.log(`${w} round ${round} ${v.label.padEnd(12)} ${m.rps.toFixed(1).padStart(7)} req/s  p50 ${m.latency.p50}  p99 ${m.latency.p99}  stmts ${m.statementsPerRequest?.toFixed(1)}  cpu ${m.serverCpu.toFixed(2)}  pg ${m.pgCpu.toFixed(2)}  other ${m.otherCpu.toFixed(2)}${m.errors ? `  ERR ${m.errors} ${m.errorSamples[0]}` : ''}`);
      }
    }
  }
  console.log('\n| workload | variant | req/s | vs first | p50 ms | p99 ms | stmts/req | server CPU | PG CPU | other CPU | errors |');
  console.log('| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const w of workloads) {
    const first = aggregate(rows.filter((r) => r.workload === w && r.key === variants[0].key));
    for (const v of variants) {
      const a = aggregate(rows.filter((r) => r.workload === w && r.key === v.key));
      console.log(`| ${w} | ${v.label} | ${a.rps.toFixed(1)} | ${(a.rps / first.rps).toFixed(2)}× | ${a.p50.toFixed(1)} | ${a.p99.toFixed(1)} | ${a.statementsUnderLoad.toFixed(1)} | ${a.serverCpu.toFixed(2)} | ${a.pgCpu.toFixed(2)} | ${a.otherCpu.toFixed(2)} | ${a.errors} |`);
    }
  }
} finally {
  worker.close();
  for (const v of variants) if (v.proc) await stop(v.proc);
  if (!values['keep-db']) dropDatabase(DB);
}
