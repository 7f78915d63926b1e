/**
 * Bulk import of indicator values into the database the server uses (DATABASE_URL, else PGlite in DATA_DIR):
 *   npm run import -- observations <file.csv|.json|.ndjson> --org <organization id> --sub <person>
 *     [--roles contributor[,org-admin]] [--idempotency-key <key>] [--dry-run]
 * With the embedded database, stop the server first: PGlite files are opened by one process at a time.
 * docs/IMPORT-EXPORT.md describes the file formats.
 */
// The query modules reach type-graphql classes (the page types), which need the metadata polyfill loaded first.
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { EXIT, parseImportArgs, runImport, USAGE } from '../src/import/command.js';
import { ImportUsageError } from '../src/import/viewer.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  let args;
  let config;
  try {
    args = parseImportArgs(argv);
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ImportUsageError || error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n${error instanceof ImportUsageError ? `${USAGE}\n` : ''}`);
    return EXIT.USAGE;
  }
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolMax: 2 });
  try {
    await migrate(database);
    return await runImport(database.db, args, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      progress: process.stderr,
    }, { maxFuturePeriods: config.MAX_FUTURE_PERIODS, backfillHorizonDays: config.ALERT_BACKFILL_HORIZON_DAYS });
  } finally {
    await database.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`import failed, nothing was written: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.INVALID;
  },
);
