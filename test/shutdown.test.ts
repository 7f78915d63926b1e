import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from './support/api-process.js';

/**
 * Shutdown by signal, on a real process: the first SIGTERM drains (in-flight requests complete), a
 * second one — a supervisor or an impatient operator repeating itself — must not cut the drain short;
 * a third exits at once. The in-flight request is one whose body is still arriving, so it stays open as
 * long as the test wants, on the embedded database (no PostgreSQL needed).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children: ApiProcess[] = [];

async function startProcess(): Promise<ApiProcess> {
  const api = await startApiProcess({ DATABASE_URL: '', DATA_DIR: 'memory://', SEED_SAMPLE_DATA: 'false', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '20000' });
  children.push(api);
  return api;
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
  let twice: ApiProcess;
  let thrice: ApiProcess;
  beforeAll(async () => {
    [twice, thrice] = await Promise.all([startProcess(), startProcess()]);
  }, 120_000);
  afterAll(() => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
