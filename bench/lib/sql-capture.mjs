// Preloaded (node --import) into every system the benchmark starts, so run.mjs can EXPLAIN the exact
// statements each one sends: the API (which has no statement log of its own), PostGraphile and the
// baseline alike. It wraps node-postgres's Client.prototype.query, as resolved from the process's working
// directory (the repo's pg for the API, bench/node_modules/pg for the others). Off until SIGUSR2, which
// toggles it; while on, every statement (text, parameters as sent, the connection it used) is appended
// to BENCH_SQL_CAPTURE as one JSON line. Off, it costs one boolean test per statement.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const file = process.env.BENCH_SQL_CAPTURE;
if (file) {
  const require = createRequire(join(process.cwd(), 'noop.js'));
  const pg = require('pg');
  const { prepareValue } = require('pg/lib/utils');
  const original = pg.Client.prototype.query;
  const ids = new WeakMap();
  const named = new Map();
  let nextId = 1;
  let capturing = false;
  process.on('SIGUSR2', () => {
    capturing = !capturing;
    appendFileSync(file, `${JSON.stringify({ capture: capturing ? 'on' : 'off', at: Date.now() })}\n`);
  });
  pg.Client.prototype.query = function capturedQuery(config, values, callback) {
    if (capturing) {
      try {
        if (!ids.has(this)) ids.set(this, nextId++);
        const q = typeof config === 'string' ? { text: config } : (config ?? {});
        if (q.name && q.text) named.set(q.name, q.text);
        const text = q.text ?? named.get(q.name);
        // Parameters come in the config (PostGraphile) or as the second argument (drizzle, pool.query).
        const params = (q.values ?? (Array.isArray(values) ? values : [])).map((v) => {
          const p = prepareValue(v);
          return Buffer.isBuffer(p) ? null : p;
        });
        if (text) appendFileSync(file, `${JSON.stringify({ client: ids.get(this), text, values: params })}\n`);
      } catch {
        // a statement the capture cannot read is left out; the run then misses its EXPLAIN, never its answer
      }
    }
    return original.call(this, config, values, callback);
  };
}
