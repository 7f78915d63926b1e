import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database } from './database.js';

/** The advisory lock key of migrations (any fixed bigint; "ctewn" in ASCII). */
const MIGRATION_LOCK = '470581184366';

/** The committed drizzle-kit migrations: found by walking up, so src/ (tsx) and dist/ (node) both work. */
function findMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('drizzle/ migrations folder not found');
    dir = parent;
  }
}

/**
 * Applies the committed migrations. A failure says what the database answered (drizzle's own message is
 * only "Failed query: <the statement>"; the driver's reason is its cause), e.g. a role without CREATE.
 */
export async function migrate(database: Database): Promise<void> {
  const migrationsFolder = findMigrationsFolder();
  try {
    if (database.kind === 'postgres' && database.pool) {
      // Replicas started together on one database would run the same migrations at once (drizzle takes no
      // lock: the second fails on a duplicate type). A session advisory lock makes them take turns; the
      // later ones then find every migration applied. Same session for lock and migration: a pool of 1 works.
      const client = await database.pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migratePg(drizzlePg(client), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
        client.release();
      }
    } else if (database.kind === 'postgres') {
      await migratePg(database.db as unknown as NodePgDatabase, { migrationsFolder });
    } else {
      await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    }
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (!(cause instanceof Error)) throw error;
    const statement = /^Failed query: ([^\n]*)/.exec((error as Error).message)?.[1];
    const sqlState = (cause as Error & { code?: unknown }).code;
    const code = typeof sqlState === 'string' ? ` (${sqlState})` : '';
    throw new Error(`applying the migrations of drizzle/ failed: ${cause.message}${code}${statement ? `, at: ${statement.slice(0, 200)}` : ''}`, { cause: error });
  }
}

/** True when every committed migration has been applied (readiness). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const journal = JSON.parse(readFileSync(join(findMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  const rows = (await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: { n: number }[] };
  return (rows.rows[0]?.n ?? 0) >= journal.entries.length;
}
