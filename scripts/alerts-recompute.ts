import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadReferenceData } from '../src/db/queries/observation-writes.js';

/**
 * `npm run alerts:recompute`: recomputes the alerts of the whole history with the current thresholds and
 * rules (after a threshold change), in one transaction. Open alerts are replaced; acknowledged ones are
 * kept and not raised again. Recomputed alerts are not announced to live subscribers (they are history).
 */
let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  await migrate(database);
  const started = Date.now();
  const { indicators } = await loadReferenceData(database.db);
  const { removed, raised } = await recomputeAlerts(database.db, indicators);
  process.stdout.write(`alerts recomputed in ${Date.now() - started} ms: ${removed} open alerts replaced, ${raised} raised\n`);
} finally {
  await database.close();
}
