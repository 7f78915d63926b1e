// The bench's own dependencies (PostGraphile, autocannon, pg, a Node 22 binary), never the product's:
// installed into bench/node_modules on first use. Node built-ins only, so it can run before they exist.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function ensureBenchDependencies(bench, log) {
  const node22 = join(bench, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(join(bench, 'node_modules', 'autocannon')) || !existsSync(node22)) {
    log('installing the benchmark dependencies (bench/package-lock.json)');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: bench, stdio: 'inherit' });
  }
  const node22Version = execFileSync(node22, ['-v'], { encoding: 'utf8' }).trim();
  if (!node22Version.startsWith('v22')) throw new Error(`bench/node_modules/node is ${node22Version}, not Node 22`);
  return { node22, node22Version };
}
