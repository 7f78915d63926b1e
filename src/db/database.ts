import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { ReferenceCache } from './reference.js';

/**
 * The one database type the queries see: the same on PGlite and on node-postgres. Queries are built with
 * the query builder only (no relational `db.query` API), so no schema is registered with drizzle.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface StatementCounter {
  count: number;
}

/**
 * A drizzle handle whose every statement adds one to `counter`: each request gets its own (for the
 * no-N+1 tests, the benchmark and the request log). Counting through the handle rather than an
 * AsyncLocalStorage keeps async hooks off: with them on, every promise of every field pays for them.
 */
function countingLogger(counter: StatementCounter): Logger {
  return {
    logQuery() {
      counter.count += 1;
    },
  };
}

export interface Database {
  /** Uncounted: start-up, background work (the access-log writer, rate-limit counters, the alert bus). */
  db: Db;
  /** A handle on the same pool or client that counts the statements it sends (one per request). */
  counted(counter: StatementCounter): Db;
  /** The process's snapshot of the reference data (countries, indicators, organizations). */
  reference: ReferenceCache;
  kind: 'pglite' | 'postgres';
  /** The node-postgres pool (PostgreSQL only), for pool metrics. */
  pool?: pg.Pool;
  /**
   * Calls `onMessage` for every NOTIFY on `channel` committed by any process using this database.
   * Resolves to a function that stops listening.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Checks the connection (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax?: number;
  /** node-postgres only: the pool waits this long for a connection (it waits forever by default). */
  connectTimeoutMs?: number;
  /** node-postgres only: server-side limits per statement and per idle transaction. */
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** How long the reference data snapshot is kept (REFERENCE_CACHE_TTL_MS); 0 reads it per request. */
  referenceTtlMs?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const reference = new ReferenceCache(options.referenceTtlMs ?? 0);
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      // The API sends short, index-driven statements; JIT compilation (30–40 ms when the row rule's
      // subplans push a plan past jit_above_cost) never pays back for them (bench/NOTES.md).
      options: '-c jit=off',
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    });
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => undefined);
    const db = drizzlePg(pool) as unknown as Db;
    return {
      db,
      counted: (counter) => drizzlePg(pool, { logger: countingLogger(counter) }) as unknown as Db,
      reference,
      kind: 'postgres',
      pool,
      listen: (channel, onMessage) => listenWithReconnect(options.databaseUrl!, channel, onMessage),
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  const dataDir = options.dataDir === 'memory://' ? undefined : options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    counted: (counter) => drizzlePglite(client, { logger: countingLogger(counter) }) as unknown as Db,
    reference,
    kind: 'pglite',
    listen: async (channel, onMessage) => {
      const stop = await client.listen(channel, onMessage);
      return async () => {
        if (!client.closed) await stop();
      };
    },
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/**
 * A LISTEN connection of its own (a pooled one would lose its LISTEN when returned), which reconnects
 * with backoff when the database restarts, so subscriptions resume by themselves.
 */
async function listenWithReconnect(url: string, channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (delayMs: number): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onMessage(message.payload);
    });
    const reconnect = () => {
      if (stopped || client !== next) return;
      client = undefined;
      retry = setTimeout(() => void connect(Math.min(delayMs * 2, 5000)), delayMs);
    };
    next.on('error', reconnect);
    next.on('end', reconnect);
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replace(/"/g, '')}"`);
    } catch {
      reconnect();
    }
  };
  await connect(100);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
