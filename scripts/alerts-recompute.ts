import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadReferenceData } from '../src/db/queries/observation-writes.js';

/**
 * `npm run alerts:recompute`: recomputes the alerts of the whole history with the current thresholds and
 * rules (after a threshold change), in one transaction: alerts that still hold keep their ids and times,
 * those that no longer hold are superseded (kept), new conditions are raised. Nothing is announced to live
 * subscribers (a recompute is not news).
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
  const { levels } = await loadReferenceData(database.db);
  const { kept, superseded, raised } = await recomputeAlerts(database.db, levels, { backfillHorizonDays: config.ALERT_BACKFILL_HORIZON_DAYS });
  process.stdout.write(`alerts recomputed in ${Date.now() - started} ms: ${kept} still hold, ${superseded} superseded, ${raised} raised\n`);
} finally {
  await database.close();
}
