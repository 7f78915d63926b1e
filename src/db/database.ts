import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as tables from './schema/index.js';

export type Tables = typeof tables;
/** The one database type the queries see: the same on PGlite and on node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, Tables>;

export interface StatementCounter {
  count: number;
}

/**
 * Counts SQL statements per request (for the no-N+1 tests and the benchmark): the request runs inside
 * countStatements(), and every statement drizzle sends adds one to that request's counter.
 */
const statementScope = new AsyncLocalStorage<StatementCounter>();
export function countStatements<T>(counter: StatementCounter, fn: () => T): T {
  return statementScope.run(counter, fn);
}
const countingLogger: Logger = {
  logQuery() {
    const counter = statementScope.getStore();
    if (counter) counter.count += 1;
  },
};

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Checks the connection (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 10 });
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => undefined);
    const db = drizzlePg(pool, { schema: tables, logger: countingLogger }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  const dataDir = options.dataDir === 'memory://' ? undefined : options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client, { schema: tables, logger: countingLogger }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
