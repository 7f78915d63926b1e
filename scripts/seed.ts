/**
 * Seeds the sample network into the database the server would use (DATABASE_URL, else PGlite in DATA_DIR).
 * Usage: npm run seed -- [--reports N] [--years N] [--extra-organizations N] [--seed N]
 * A database that already holds sample data is left untouched.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { notifyReferenceChanged } from '../src/db/reference.js';
import { seedSampleData, type SeedOptions } from '../src/db/seed/index.js';

function nonNegativeInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reports: { type: 'string' },
      years: { type: 'string' },
      'extra-organizations': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const options: SeedOptions = {};
  const reports = nonNegativeInt('reports', values.reports);
  const years = nonNegativeInt('years', values.years);
  const extra = nonNegativeInt('extra-organizations', values['extra-organizations']);
  const seed = nonNegativeInt('seed', values.seed);
  if (reports !== undefined) options.reports = reports;
  if (years !== undefined) options.years = years;
  if (extra !== undefined) options.extraOrganizations = extra;
  if (seed !== undefined) options.seed = seed;

  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    await migrate(database);
    const started = performance.now();
    const result = await seedSampleData(database.db, options);
    const elapsedMs = Math.round(performance.now() - started);
    // Running API processes on this database drop their reference snapshot (countries, organizations)
    // now instead of serving the empty one for up to REFERENCE_CACHE_TTL_MS.
    if (result.seeded) await notifyReferenceChanged(database.db);
    console.log(result.seeded ? `Seeded sample data (${database.kind}) in ${elapsedMs} ms` : 'Sample data already present; nothing done');
    console.table(result.counts);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
