import 'reflect-metadata';
import { AlertBus } from './alerts/bus.js';
import { AccessLogWriter } from './auth/access-log.js';
import { loadInstanceIdentity, type InstanceIdentity } from './auth/instance-identity.js';
import { startPullLoop } from './sync/pull-loop.js';
import { createTokenVerifier } from './auth/jwt.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { REFERENCE_CHANNEL, referenceIsEmpty } from './db/reference.js';
import { disableRowRuleForBenchmark } from './db/visibility.js';
import { hasSampleData, seedSampleData } from './db/seed/index.js';
import { startServer, type RunningServer } from './http/server.js';
import type { Logger } from './logger.js';
import { buildApiSchema } from './schema/build.js';

export interface App {
  server: RunningServer;
  database: Database;
  accessLog: AccessLogWriter;
  identity: InstanceIdentity;
  stop(): Promise<void>;
}

/** Where a person on this machine opens the explorer: a wildcard address is reached as localhost. */
export function explorerUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}/graphiql`;
}

/**
 * Opens the database, applies migrations, fills an empty embedded database with sample data, builds the
 * schema (refusing a field without an authorization rule) and starts serving.
 */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const started = Date.now();
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolMax: config.PG_POOL_MAX,
    connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.PG_IDLE_TX_TIMEOUT_MS,
    referenceTtlMs: config.REFERENCE_CACHE_TTL_MS,
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost'),
  });
  try {
    await migrate(database);
    if (database.kind === 'pglite' && config.SEED_SAMPLE_DATA && !(await hasSampleData(database.db))) {
      const seedStart = Date.now();
      const result = await seedSampleData(database.db);
      logger.info({ counts: result.counts, ms: Date.now() - seedStart }, 'sample data loaded into the empty embedded database');
    }
    if (await referenceIsEmpty(database.db)) {
      logger.warn(
        { database: database.kind },
        database.kind === 'postgres'
          ? 'the database is empty (no organizations, no countries): every list answers [] and no token is accepted. Load the sample network with `npm run seed` (same DATABASE_URL; the running server picks it up at once), or import your own data'
          : 'the embedded database is empty (SEED_SAMPLE_DATA=false): every list answers [] and no token is accepted. Stop the server and run `npm run seed` (same DATA_DIR), or start it with SEED_SAMPLE_DATA=true',
      );
    }
    if (config.BENCH_DISABLE_POLICY) {
      logger.warn('BENCH_DISABLE_POLICY: the field policy, the row rule and the access log are OFF (benchmark only)');
      disableRowRuleForBenchmark();
    }
    const schema = await buildApiSchema({ policy: !config.BENCH_DISABLE_POLICY });
    const verifyToken = await createTokenVerifier(config, logger);
    const identity = await loadInstanceIdentity(config);
    logger.info({ instance: identity.id, keyFile: identity.keyFile, kid: identity.kid }, 'instance identity');
    const accessLog = new AccessLogWriter(database.db, logger);
    const alertBus = new AlertBus(database, (error) => logger.warn({ err: error }, 'alerts raised while the LISTEN connection was down could not be replayed'));
    await alertBus.start();
    // A seed or another process's write to reference data: drop this process's snapshot now (the NOTIFY
    // is lost while the LISTEN connection is down, so a reconnect drops it too).
    const stopReferenceListener = await database.listen(
      REFERENCE_CHANNEL,
      () => database.reference.invalidate(),
      () => database.reference.invalidate(),
    );
    const server = await startServer({ config, database, schema, logger, verifyToken, accessLog, alertBus, identity });
    const pullLoop = config.SYNC_PULL_INTERVAL_S > 0 ? startPullLoop({ db: database.db, identity, logger }, config.SYNC_PULL_INTERVAL_S * 1000) : undefined;
    const explorer = explorerUrl(config.HOST, server.port);
    logger.info({ ms: Date.now() - started, explorer }, `started: open the explorer at ${explorer}`);
    let stopping: Promise<void> | undefined;
    return {
      server,
      database,
      accessLog,
      identity,
      stop: () =>
        (stopping ??= (async () => {
          await pullLoop?.stop();
          await server.stop();
          await alertBus.stop();
          await stopReferenceListener();
          // Entries of the requests just drained are written before the database closes.
          await accessLog.flush();
          await database.close();
        })()),
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
