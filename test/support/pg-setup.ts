import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { seedSampleData } from '../../src/db/seed/index.js';

/**
 * vitest globalSetup for the PostgreSQL run: migrates and seeds the run's fresh database once, before
 * the test files (which run in parallel) connect to it.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  try {
    await migrate(database);
    await seedSampleData(database.db);
  } finally {
    await database.close();
  }
}
