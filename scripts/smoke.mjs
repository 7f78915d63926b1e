// Starts the compiled server the way an operator does, `npm start` (its prestart build skipped with
// --ignore-scripts: CI has just built), on a fresh embedded database; waits for it to serve the sample
// data and queries it. Then stops it as a process manager or a container runtime does, SIGTERM to the
// npm process alone, and as Ctrl-C does, SIGINT to the whole process group: each time the server must
// drain and exit 0, and no process of the tree may be left (an orphaned node kept serving on the port).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'ctewn-smoke-'));
const port = 4400 + Math.floor(Math.random() * 500);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start() {
  // detached: npm leads a process group of its own, as under a terminal or a supervisor.
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const exited = new Promise((resolve) => npm.on('exit', (code, signal) => resolve({ code, signal })));
  return { npm, exited };
}

async function waitForHealth(npm) {
  for (let i = 0; i < 240; i++) {
    if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode} before serving`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch {}
    await sleep(500);
  }
  throw new Error('compiled server did not become healthy in 120 s');
}

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function serving() {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Sends the stop, then expects npm to exit 0 and nothing of its group to remain or serve. */
async function stop({ npm, exited }, how) {
  if (how === 'SIGTERM to npm') process.kill(npm.pid, 'SIGTERM');
  else process.kill(-npm.pid, 'SIGINT');
  const result = await Promise.race([exited, sleep(30_000).then(() => ({ timeout: true }))]);
  for (let i = 0; i < 20 && groupAlive(npm.pid); i++) await sleep(250);
  const leftover = groupAlive(npm.pid);
  const stillServing = await serving();
  if (leftover) process.kill(-npm.pid, 'SIGKILL');
  if (result.timeout) throw new Error(`${how}: npm start did not exit within 30 s`);
  if (leftover || stillServing) throw new Error(`${how}: npm exited (${JSON.stringify(result)}) but left a process behind${stillServing ? ', still serving on the port' : ''}`);
  if (result.code !== 0) throw new Error(`${how}: npm start exited with code ${result.code} signal ${result.signal}`);
  console.log(`smoke: clean shutdown on ${how}`);
}

let failure;
let running;
try {
  const started = Date.now();
  running = start();
  await waitForHealth(running.npm);
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
  await stop(running, 'SIGTERM to npm');
  running = start();
  await waitForHealth(running.npm);
  await stop(running, 'SIGINT to the process group');
  running = undefined;
} catch (error) {
  failure = error;
} finally {
  if (running && groupAlive(running.npm.pid)) process.kill(-running.npm.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
if (failure) {
  console.error(`smoke: FAILED: ${failure.message}`);
  process.exit(1);
}
