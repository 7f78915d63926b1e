// Processes of the benchmark: servers pinned to one core, the load generator to the other, and what
// /proc says about them (CPU time, peak resident memory).
import { spawn, execFileSync } from 'node:child_process';
import { openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

let tasksetOk;
export function hasTaskset() {
  if (tasksetOk === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true']);
      tasksetOk = true;
    } catch {
      tasksetOk = false;
    }
  }
  return tasksetOk;
}

/** Starts `command args` on core `core` (taskset execs, so the pid is the program's own). */
export function startPinned(core, command, args, { env, cwd, log }) {
  const out = openSync(log, 'w');
  const [cmd, argv] = hasTaskset() ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { env, cwd, stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, exited, log };
}

export async function waitForHttp(url, { timeoutMs = 60_000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = proc ? readFileSync(proc.log, 'utf8').slice(-2000) : '';
  throw new Error(`${url} did not come up${exited ? ' (process exited)' : ''}\n${tail}`);
}

export async function stop(proc, timeoutMs = 15_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Resets the peak resident set size (VmHWM) so the next reading is the peak of what follows. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function statusKb(pid, key) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}
export const peakRssMb = (pid) => statusKb(pid, 'VmHWM') / 1024;
export const rssMb = (pid) => statusKb(pid, 'VmRSS') / 1024;

/** The PostgreSQL backends serving one database (their process title names it). */
export function backendPids(database) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** CPU seconds per backend of a database; compare two readings with backendCpuDelta. */
export function backendCpu(database) {
  return new Map(backendPids(database).map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU used between two readings by the backends alive at the end (one that started meanwhile counts whole). */
export function backendCpuDelta(before, after) {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell how much else was running. */
export function machineTicks() {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Cores busy over an interval, from two machineTicks readings. */
export function busyCores(before, after, cores) {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * cores : 0;
}
