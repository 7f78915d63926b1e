import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';

/**
 * A bounded load test against 127.0.0.1 (CI runs it after the PostgreSQL suite): many contributors
 * record observations while analysts read restricted reports, for LOAD_SECONDS (default 30) on a fresh,
 * seeded PostgreSQL database. Afterwards: every acknowledged write is present exactly once, the access
 * log has an entry for every restricted read, and the server's memory is stable. Exits 1 on a failure.
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const admin = process.env.PG_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const dbName = `ctewn_load_${process.pid}`;
const dbUrl = new URL(admin);
dbUrl.pathname = `/${dbName}`;

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function run(cmd: string, args: string[], env: Record<string, string>) {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
};

await adminQuery(`create database ${dbName}`);
const server = { pid: 0, kill: () => undefined as unknown };
try {
  await run('npx', ['tsx', 'scripts/seed.ts'], { DATABASE_URL: dbUrl.toString() });

  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-load-'));
  const jwks = join(dir, 'jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'load', alg: 'ES256' }] }));
  const token = (org: string, roles: string[]) =>
    new SignJWT({ org, roles }).setProtectedHeader({ alg: 'ES256', kid: 'load' }).setSubject(`load:${org}`).setIssuer('load').setAudience('ctewn').setIssuedAt().setExpirationTime('1h').sign(privateKey);

  const port = 24000 + (process.pid % 1000);
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', AUTH_JWKS_FILE: jwks, AUTH_ISSUER: 'load', AUTH_AUDIENCE: 'ctewn', RATE_LIMIT_REQUESTS_PER_MIN: '0', RATE_LIMIT_COST_PER_MIN: '0', MAX_FUTURE_PERIODS: 'unlimited' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  server.pid = child.pid!;
  server.kill = () => child.kill('SIGTERM');
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const post = async (query: string, variables: unknown, auth: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };

  const contributors = ['kaz-ct', 'kgz-ct', 'tjk-ct', 'tkm-ct', 'uzb-ct'];
  const countryOf: Record<string, string> = { 'kaz-ct': 'KAZ', 'kgz-ct': 'KGZ', 'tjk-ct': 'TJK', 'tkm-ct': 'TKM', 'uzb-ct': 'UZB' };
  const readers = ['sco-rats', 'unodc', 'expert-group', 'cica'];
  const tokens = Object.fromEntries(await Promise.all([...contributors.map(async (o) => [o, await token(o, ['contributor'])]), ...readers.map(async (o) => [o, await token(o, ['analyst'])])]));
  const deadline = Date.now() + SECONDS * 1000;
  const acknowledged: string[] = [];
  let writes = 0;
  let reads = 0;
  let restrictedReads = 0;
  const rss: { at: number; bytes: number }[] = [];
  const sampler = setInterval(() => rss.push({ at: Date.now(), bytes: rssOf(server.pid) }), 1000);

  const writer = async (org: string, lane: number) => {
    let n = 0;
    while (Date.now() < deadline) {
      n += 1;
      // Each batch writes 10 new periods of its own (years 2100–9999, by lane and batch).
      const base = 2100 + lane * 3900 + Math.floor(n / 12) * 10;
      const input = Array.from({ length: 10 }, (_, i) => ({
        indicator: 'OP-01',
        country: countryOf[org],
        period: `${base + i}-${String((n % 12) + 1).padStart(2, '0')}`,
        value: (n * 7 + i) % 50,
        tlp: 'GREEN',
        sourceReliability: 'B',
        informationCredibility: 2,
      }));
      const r = await post('mutation W($input: [ObservationInput!]!, $key: String) { recordObservations(input: $input, idempotencyKey: $key) { observations { id } } }', { input, key: `load-${org}-${lane}-${n}` }, tokens[org]!);
      if (r.errors) throw new Error(`write failed: ${JSON.stringify(r.errors).slice(0, 300)}`);
      acknowledged.push(...r.data.recordObservations.observations.map((o: { id: string }) => o.id));
      writes += 1;
    }
  };
  const reader = async (org: string) => {
    while (Date.now() < deadline) {
      const r = await post('query LoadRead { reports(first: 20, filter: { tlp: GREEN }) { edges { node { id title countries { iso3 } author { acronym } } } } }', {}, tokens[org]!);
      if (r.errors) throw new Error(`read failed: ${JSON.stringify(r.errors).slice(0, 300)}`);
      reads += 1;
      if (r.data.reports.edges.length > 0) restrictedReads += 1;
    }
  };
  await Promise.all([...contributors.flatMap((o) => [writer(o, 0), writer(o, 1)]), ...readers.flatMap((o) => [reader(o), reader(o)])]);
  clearInterval(sampler);
  process.stdout.write(`${SECONDS} s: ${writes} write batches (${acknowledged.length} observations, ${(acknowledged.length / SECONDS).toFixed(0)}/s), ${reads} reads (${(reads / SECONDS).toFixed(0)}/s)\n`);

  // Stop gracefully, so the access log is flushed, then check the database directly.
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const client = new pg.Client({ connectionString: dbUrl.toString() });
  await client.connect();
  try {
    const present = await client.query(`select count(*)::int as n, count(distinct id)::int as d from observations where id = any($1::uuid[])`, [acknowledged]);
    check(present.rows[0].n === acknowledged.length && present.rows[0].d === acknowledged.length, `every acknowledged observation present exactly once (${present.rows[0].n}/${acknowledged.length})`);
    // A value is one source's figure (issue 15): each source has at most one value in force per period.
    const dupes = await client.query(
      `select count(*)::int as n from (select indicator_code, country_iso3, period_start, source_org_id from observations where superseded_at is null group by 1,2,3,4 having count(*) > 1) d`,
    );
    check(dupes.rows[0].n === 0, 'no source has two values in force for a period');
    const logged = await client.query(`select count(*)::int as n from audit_events where operation_name = 'LoadRead'`);
    check(logged.rows[0].n === restrictedReads, `an access-log entry for every restricted read (${logged.rows[0].n}/${restrictedReads})`);
    const writesLogged = await client.query(`select count(*)::int as n from audit_events where action = 'recordObservations' and actor_sub like 'load:%'`);
    check(writesLogged.rows[0].n === writes, `an audit entry for every write batch (${writesLogged.rows[0].n}/${writes})`);
  } finally {
    await client.end();
  }
  const early = rss.find((s) => s.at >= rss[0]!.at + 10_000) ?? rss[0]!;
  const peak = Math.max(...rss.map((s) => s.bytes));
  const last = rss.at(-1)!;
  process.stdout.write(`server RSS: ${(early.bytes / 2 ** 20).toFixed(0)} MB at 10 s, ${(last.bytes / 2 ** 20).toFixed(0)} MB at the end, peak ${(peak / 2 ** 20).toFixed(0)} MB\n`);
  check(last.bytes < early.bytes * 1.5, 'memory stable (end < 1.5 × the 10 s mark)');
} finally {
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await adminQuery(`drop database if exists ${dbName} with (force)`);
}
if (failures.length) {
  process.stderr.write(`load test failed: ${failures.join('; ')}\n`);
  process.exit(1);
}
