import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/api-process.js';
import { admin } from './support/app.js';

const run = promisify(execFile);

/**
 * What an operator sees at start, on real processes: a wrong database port or name is one line naming
 * host, port, database and the driver's reason, and a non-zero exit (it was only `Failed query: CREATE
 * SCHEMA IF NOT EXISTS "drizzle"`); an empty PostgreSQL database is said to be empty, with how to seed
 * it; and `npm run seed` beside running servers is served by them at once (it was [] and null authors
 * for up to REFERENCE_CACHE_TTL_MS). The last two need PostgreSQL (npm run test:pg).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
const dropLater: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const drop of dropLater) await drop();
});


const baseEnv = (port: number, env: Record<string, string>) => ({
  ...process.env,
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATA_DIR: 'memory://',
  LOG_LEVEL: 'warn',
  ...env,
});

/** Runs the server until it exits (it should: the database is unreachable). */
function startFails(databaseUrl: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: baseEnv(0, { DATABASE_URL: databaseUrl }), encoding: 'utf8', timeout: 90_000 });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('a wrong database address: one line with the driver’s reason, and a non-zero exit', () => {
  it('a port where no PostgreSQL listens', async () => {
    const port = await freePort();
    const { status, stderr } = startFails(`postgres://root:secret-pw@127.0.0.1:${port}/ctewn_somewhere`);
    expect(status).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`CT-EWN Graph failed to start: cannot connect to PostgreSQL at 127.0.0.1:${port}, database "ctewn_somewhere" as user "root": connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(stderr).not.toContain('secret-pw');
  });

  it.runIf(process.env.TEST_DATABASE_URL)('a database name that does not exist on the server', () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/ctewn_no_such_database';
    const { status, stderr } = startFails(url.toString());
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `CT-EWN Graph failed to start: cannot connect to PostgreSQL at ${url.hostname}:${url.port || '5432'}, database "ctewn_no_such_database"${url.username ? ` as user "${url.username}"` : ''}: database "ctewn_no_such_database" does not exist (3D000)`,
    ]);
  });
});

/** An API process on `databaseUrl`, with its output kept. */
async function startApi(databaseUrl: string) {
  const port = await freePort();
  // A snapshot kept far longer than the test: only the seed's NOTIFY can make the data appear in time.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: baseEnv(port, { DATABASE_URL: databaseUrl, REFERENCE_CACHE_TTL_MS: '3600000' }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 360; i++) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, output: () => output };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`API process did not start: ${output}`);
}

const READ = '{ countries { iso3 } reports(first: 3) { edges { node { author { acronym } } } } }';
async function read(url: string) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: READ }) });
  return (await response.json()) as { data: { countries: { iso3: string }[]; reports: { edges: { node: { author: { acronym: string } | null } }[] } } };
}

describe.runIf(process.env.TEST_DATABASE_URL)('an empty PostgreSQL database, then `npm run seed` beside two running servers', () => {
  it('start-up says the database is empty and how to seed it; after the seed both servers serve the data at once', async () => {
    const template = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${template.pathname.slice(1)}_empty_${process.pid}`;
    await admin(`create database "${name}"`);
    dropLater.push(() => admin(`drop database if exists "${name}" with (force)`));
    const url = new URL(template);
    url.pathname = `/${name}`;
    const [first, second] = await Promise.all([startApi(url.toString()), startApi(url.toString())]);
    for (const api of [first, second]) {
      expect(api.output()).toContain('the database is empty');
      expect(api.output()).toContain('npm run seed');
      expect((await read(api.url)).data.countries).toEqual([]);
    }
    // Asynchronously: a spawnSync would block this process for the seed's seconds, and the keep-alive
    // sockets the servers close meanwhile would go unnoticed and be reused ("other side closed").
    const seed = await run(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--reports', '20', '--years', '1'], {
      env: { ...process.env, DATABASE_URL: url.toString() },
      encoding: 'utf8',
      timeout: 120_000,
    }).then(
      () => ({ status: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ status: error.code ?? 1, stderr: error.stderr ?? String(error) }),
    );
    expect(seed.status, seed.stderr).toBe(0);
    for (const api of [first, second]) {
      let answer = await read(api.url);
      // The NOTIFY reaches each process within milliseconds; 5 s is slack for a loaded machine.
      for (let i = 0; i < 50 && answer.data.countries.length === 0; i++) {
        await sleep(100);
        answer = await read(api.url);
      }
      expect(answer.data.countries).toHaveLength(6);
      expect(answer.data.reports.edges.length).toBeGreaterThan(0);
      expect(answer.data.reports.edges.every((e) => e.node.author !== null)).toBe(true);
    }
  });
});
