import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Shutdown by signal, on a real process: the first SIGTERM drains (in-flight requests complete), a
 * second one — a supervisor or an impatient operator repeating itself — must not cut the drain short;
 * a third exits at once. The in-flight request is one whose body is still arriving, so it stays open as
 * long as the test wants, on the embedded database (no PostgreSQL needed).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

async function startProcess(): Promise<Child> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: 'memory://', SEED_SAMPLE_DATA: 'false', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test', SHUTDOWN_GRACE_MS: '20000' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, port, child, exited };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('API process did not start');
}

/** A GraphQL POST whose body is sent in two parts: the request is in flight until `finish()`. */
function slowRequest(port: number) {
  const body = JSON.stringify({ query: '{ countries { iso3 } }' });
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  const response = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? String(error) }));
    });
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? String(error) }));
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { response, finish: () => finish() };
}

describe('shutdown by signal', () => {
  // One process per case, started together (each start migrates a fresh embedded database).
  let twice: Child;
  let thrice: Child;
  beforeAll(async () => {
    [twice, thrice] = await Promise.all([startProcess(), startProcess()]);
  }, 120_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('a second SIGTERM during the drain does not cut it short: the in-flight request completes 200 and the process exits 0', async () => {
    const api = twice;
    const inFlight = slowRequest(api.port);
    await sleep(300);
    api.child.kill('SIGTERM');
    await sleep(300);
    api.child.kill('SIGTERM');
    await sleep(700);
    expect(api.child.exitCode, 'still draining after the second SIGTERM').toBeNull();
    expect(api.child.signalCode).toBeNull();
    inFlight.finish();
    const answer = await inFlight.response;
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse((answer as { body: string }).body).errors).toBeUndefined();
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });

  it('a third signal ends the drain at once (exit 1), without waiting for the grace period', async () => {
    const api = thrice;
    const inFlight = slowRequest(api.port);
    await sleep(300);
    const signalled = Date.now();
    api.child.kill('SIGTERM');
    await sleep(200);
    api.child.kill('SIGINT');
    await sleep(200);
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeLessThan(5000);
    inFlight.finish();
    expect(await inFlight.response).toHaveProperty('error');
  });
});
