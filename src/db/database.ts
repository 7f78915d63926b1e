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
   * On PostgreSQL the LISTEN connection reconnects by itself after a restart or a lost connection, then
   * calls `onResume` with the instant it was lost (what was notified in between is gone; the caller
   * replays it). Resolves to a function that stops listening.
   */
  listen(channel: string, onMessage: (payload: string) => void, onResume?: (lostAt: Date) => void): Promise<() => Promise<void>>;
  /** Checks the connection and that every LISTEN connection is up (readiness). */
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
  /** node-postgres only: told of every connection the server closed or lost (restart, terminated backend, timeout). */
  onConnectionError?: (error: Error) => void;
}

/**
 * The first connection failed (no server at that host and port, no such database, a refused role or
 * password): one line naming where it tried and the driver's own words, never the password.
 */
export class DatabaseConnectError extends Error {}

export function describeConnectError(databaseUrl: string, error: unknown): string {
  let where = 'the DATABASE_URL';
  try {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.slice(1)) || '(default)';
    const user = url.username ? ` as user "${decodeURIComponent(url.username)}"` : '';
    where = `PostgreSQL at ${url.hostname || 'localhost'}:${url.port || '5432'}, database "${database}"${user}`;
  } catch {
    // config.ts has checked its form; keep the generic wording if it still does not parse.
  }
  const codes: string[] = [];
  let message = String(error);
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && e.message) message = e.message;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  const code = codes.length > 0 ? ` (${codes[codes.length - 1]})` : '';
  return `cannot connect to ${where}: ${message.replace(/\s+/g, ' ').trim() || 'connection failed'}${code}`;
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
    const connectionLost = options.onConnectionError ?? (() => undefined);
    // An idle client losing its connection (database restart): pg-pool drops it and tells the pool.
    pool.on('error', connectionLost);
    // A client a request holds (inside a transaction, between two statements) has no pg-pool listener: a
    // restart (57P01), a terminated backend or the idle-in-transaction timeout (25P03) would be an unheard
    // 'error' event, which ends the process. Heard here, it fails only that request: its next statement is
    // refused ("not queryable", SERVICE_UNAVAILABLE), its transaction never commits, and pg-pool discards
    // the client when it is released.
    pool.on('connect', (client) => client.on('error', connectionLost));
    // Connect once now: a wrong host, port or database name is then told as such, not as the migrator's
    // first statement ("Failed query: CREATE SCHEMA IF NOT EXISTS \"drizzle\"").
    try {
      await pool.query('select 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new DatabaseConnectError(describeConnectError(options.databaseUrl, error));
    }
    const db = drizzlePg(pool) as unknown as Db;
    // One LISTEN connection per process, for every channel (alerts, reference data): PostgreSQL's
    // max_connections budget counts it once per process.
    const listener = sharedListener(options.databaseUrl, connectionLost);
    return {
      db,
      counted: (counter) => drizzlePg(pool, { logger: countingLogger(counter) }) as unknown as Db,
      reference,
      kind: 'postgres',
      pool,
      listen: (channel, onMessage, onResume) => listener.add({ channel, onMessage, onResume }),
      ping: async () => {
        await pool.query('select 1');
        // A process whose alert feed is down would keep its subscribers waiting for alerts that never come.
        if (listener.wanted && !listener.listening) throw new Error('LISTEN connection not up');
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

interface Subscription {
  channel: string;
  onMessage: (payload: string) => void;
  onResume?: ((lostAt: Date) => void) | undefined;
}

/** First retry after a lost LISTEN connection; doubled per failed attempt up to the cap, reset once back. */
const LISTEN_RETRY_FIRST_MS = 100;
const LISTEN_RETRY_MAX_MS = 2000;

const listenStatement = (verb: 'LISTEN' | 'UNLISTEN', channel: string) => `${verb} "${channel.replace(/"/g, '')}"`;

/**
 * The process's LISTEN connection (a pooled one would lose its LISTEN when returned), opened with the
 * first subscription and closed with the last. It reconnects with backoff when the database restarts or
 * the connection is lost, LISTENs again on every channel, and then tells each subscription's `onResume`
 * when the connection was lost (what was notified in between is gone), so subscriptions resume by
 * themselves.
 */
function sharedListener(url: string, onLost: (error: Error) => void) {
  const subscriptions = new Set<Subscription>();
  let client: pg.Client | undefined;
  let listening = false;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = LISTEN_RETRY_FIRST_MS;
  let lostAt: Date | undefined;
  let connecting: Promise<void> | undefined;
  const channels = () => new Set([...subscriptions].map((s) => s.channel));
  const connect = async (): Promise<void> => {
    if (subscriptions.size === 0) return;
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.payload === undefined) return;
      for (const subscription of [...subscriptions]) if (subscription.channel === message.channel) subscription.onMessage(message.payload);
    });
    const reconnect = (error?: Error) => {
      if (client !== next) return;
      if (error) onLost(error);
      client = undefined;
      listening = false;
      lostAt ??= new Date();
      void next.end().catch(() => undefined);
      if (subscriptions.size === 0) return;
      retry = setTimeout(() => void (connecting = connect()), delayMs);
      delayMs = Math.min(delayMs * 2, LISTEN_RETRY_MAX_MS);
    };
    next.on('error', reconnect);
    next.on('end', () => reconnect());
    client = next;
    try {
      await next.connect();
      for (const channel of channels()) await next.query(listenStatement('LISTEN', channel));
    } catch (error) {
      reconnect(error as Error);
      return;
    }
    if (client !== next) return;
    listening = true;
    delayMs = LISTEN_RETRY_FIRST_MS;
    if (lostAt) {
      const since = lostAt;
      lostAt = undefined;
      for (const subscription of [...subscriptions]) subscription.onResume?.(since);
    }
  };
  return {
    /** True while there is a subscription, i.e. the connection should be up (readiness). */
    get wanted() {
      return subscriptions.size > 0;
    },
    get listening() {
      return listening;
    },
    /** Subscribes; resolves once the first connection attempt is over (it retries by itself). */
    async add(subscription: Subscription): Promise<() => Promise<void>> {
      const known = channels().has(subscription.channel);
      subscriptions.add(subscription);
      if (!client && !retry) await (connecting = connect());
      else if (connecting) await connecting;
      // A channel added to a connection already up; a connection still (re)connecting LISTENs on all of them.
      if (!known && listening && client) await client.query(listenStatement('LISTEN', subscription.channel)).catch(() => undefined);
      return async () => {
        subscriptions.delete(subscription);
        if (subscriptions.size > 0) {
          if (!channels().has(subscription.channel) && listening && client) await client.query(listenStatement('UNLISTEN', subscription.channel)).catch(() => undefined);
          return;
        }
        clearTimeout(retry);
        retry = undefined;
        listening = false;
        const last = client;
        client = undefined;
        await last?.end().catch(() => undefined);
      };
    },
  };
}
