// The load generator as one long-lived process on core 1 (load.mjs over an IPC channel): no process
// start per round, and the same JIT-warm autocannon for every system.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hasTaskset } from './proc.mjs';

export function createLoadWorker(node, benchDir) {
  const script = join(benchDir, 'load.mjs');
  const [cmd, args] = hasTaskset() ? ['taskset', ['-c', '1', node, script]] : [node, [script]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending = null;
  child.on('message', (message) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (message.ok) p.resolve(message.result);
    else p.reject(new Error(message.error));
  });
  child.on('exit', (code) => pending?.reject(new Error(`load generator exited (${code})`)));
  return {
    run(spec) {
      if (pending) throw new Error('one round at a time');
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(spec);
      });
    },
    close() {
      if (child.connected) child.disconnect();
    },
  };
}
