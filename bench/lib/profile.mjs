// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
import { readFileSync } from 'node:fs';

function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return `ct-ewn src/${url.slice(src + '/dist/src/'.length).split('/').slice(0, -1).join('/') || '.'}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const src = url.indexOf('/dist/src/');
  if (src >= 0) return `src/${url.slice(src + '/dist/src/'.length)}`;
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time per function and package. `window` ({ fromUs, toUs }, monotonic microseconds as from
 * process.hrtime.bigint() / 1000n: V8 stamps samples with the same clock) keeps only the samples taken
 * while the load ran, so start-up (module loading, schema build) does not count.
 */
export function summarizeProfile(file, top = 25, window = null) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const pkgs = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const key = `${name} ${shortUrl(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : packageOf(callFrame.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const idle = pkgs.get('(idle)') ?? 0;
  const busy = total - idle;
  const rank = (map) =>
    [...map]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return { totalMs: total / 1000, busyMs: busy / 1000, functions: rank(fns).slice(0, top), packages: rank(pkgs).slice(0, top) };
}
