// Starts the compiled server (node dist/src/main.js) on a fresh embedded database, waits for it to
// serve the sample data, queries it, sends SIGTERM and expects a clean exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'ctewn-smoke-'));
const port = 4400 + Math.floor(Math.random() * 500);
const started = Date.now();
const server = spawn(process.execPath, ['dist/src/main.js'], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));

async function waitForHealth() {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('compiled server did not become healthy in 120 s');
}

let failure;
try {
  await waitForHealth();
  const startMs = Date.now() - started;
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ countries { iso3 } reports(first: 5, filter: {country: "TJK", search: "propaganda"}) { totalCount edges { cursor } } }' }),
  });
  const body = await res.json();
  if (body.errors || body.data.countries.length !== 6 || body.data.reports.edges.length === 0) {
    throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 500)}`);
  }
  console.log(`smoke: compiled server answered after ${startMs} ms (first start, with seeding)`);
} catch (error) {
  failure = error;
} finally {
  server.kill('SIGTERM');
  const { code, signal } = await exited;
  rmSync(dataDir, { recursive: true, force: true });
  if (!failure && code !== 0) failure = new Error(`server exited with code ${code} signal ${signal} after SIGTERM`);
}
if (failure) {
  console.error(`smoke: FAILED: ${failure.message}`);
  process.exit(1);
}
console.log('smoke: clean shutdown on SIGTERM');
