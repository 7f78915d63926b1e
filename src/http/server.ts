import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { AlertBus } from '../alerts/bus.js';
import type { AccessLogWriter } from '../auth/access-log.js';
import type { InstanceIdentity } from '../auth/instance-identity.js';
import { authenticate } from '../auth/authenticate.js';
import { createContext } from '../auth/context.js';
import type { TokenVerifier } from '../auth/jwt.js';
import { introspectionPolicy, type Config } from '../config.js';
import type { Database, StatementCounter } from '../db/database.js';
import { migrationsApplied } from '../db/migrate.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { SERIES_SCHEMA, SERIES_SCHEMA_PATH } from '../stix/extensions.js';
import { compiledExecutionGateway, createCompiledExecutor } from './compiled-executor.js';
import { exportRouter } from './export.js';
import { createFormatError, serviceUnavailableStatus } from './format-error.js';
import { graphiqlRouter } from './graphiql.js';
import { createMetrics, exampleOperationNames, metricsEndpoint, requestId, startMetricsServer } from './observability.js';
import { createOperationGuard, type OperationGuard } from './operation-guard.js';
import { createRateLimits } from './rate-limit.js';
import { contextRejection, requestPlugin, type RequestContext } from './request-plugin.js';
import { attachSubscriptions } from './subscriptions.js';
import { taxiiRouter } from './taxii.js';
import { syncRouter } from './sync.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  schema: GraphQLSchema;
  logger: Logger;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  alertBus: AlertBus;
  /** Issue 17: this instance's id and signing key (the well-known document, the sync endpoints). */
  identity: InstanceIdentity;
}

export interface RunningServer {
  httpServer: Server;
  /** The bound port (useful when PORT=0). */
  port: number;
  /** The bound METRICS_PORT, when set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

const jsonError = (status: number, code: string, message: string) => ({ status, body: { errors: [{ message, extensions: { code } }] } });

/** Body too large (413), unreadable JSON (400): answered as GraphQL errors, never as an HTML stack page. */
const bodyErrors: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
  if (res.headersSent) return next(error);
  const { status, body } =
    error.type === 'entity.too.large'
      ? jsonError(413, ErrorCode.BAD_USER_INPUT, 'Request body is larger than the limit')
      : error.type === 'entity.parse.failed'
        ? jsonError(400, ErrorCode.BAD_USER_INPUT, 'Request body is not valid JSON')
        : jsonError(error.status && error.status < 500 ? error.status : 400, ErrorCode.BAD_USER_INPUT, 'Malformed request');
  res.status(status).json(body);
};

/**
 * Request bodies in UTF-8, or the UTF-16/UTF-32 the GraphQL-over-HTTP spec allows; anything else is 415
 * before the body is read (body-parser would decode any "utf-…" iconv knows, UTF-7 ~60× slower).
 */
const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be', 'utf-32', 'utf-32le', 'utf-32be']);
const charsetGuard: RequestHandler = (req, res, next) => {
  const type = req.headers['content-type'];
  const charset = type ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type)?.[1]?.toLowerCase() : undefined;
  if (charset !== undefined && !ACCEPTED_CHARSETS.has(charset)) {
    res.status(415).json(jsonError(415, ErrorCode.BAD_USER_INPUT, `Unsupported charset "${charset}": send UTF-8 (or UTF-16, UTF-32)`).body);
    return;
  }
  next();
};

/** MAX_DOCUMENT_BYTES, before Apollo parses: each operation of a batch, GET's query parameter too. */
const documentSize =
  (guard: OperationGuard): RequestHandler =>
  (req, res, next) => {
    const operations: unknown[] = Array.isArray(req.body) ? req.body : [req.body ?? req.query];
    for (const operation of operations) {
      const error = guard.documentTooLarge((operation as { query?: unknown } | null)?.query);
      if (error) {
        res.status(413).json({ errors: [{ message: error.message, extensions: { code: error.extensions.code, limit: error.extensions.limit } }] });
        return;
      }
    }
    next();
  };

export async function startServer({ config, database, schema, logger, verifyToken, accessLog, alertBus, identity }: ServerDeps): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const production = config.NODE_ENV === 'production';
  const introspection = introspectionPolicy(config);
  let subscriptions: { connections: number; close(): Promise<void> } | undefined;
  const metrics = createMetrics(
    database,
    { subscriptions: () => subscriptions?.connections ?? 0 },
    { knownOperations: [...exampleOperationNames(), ...config.METRICS_OPERATIONS], maxOperations: config.METRICS_MAX_OPERATIONS },
  );
  const rejectedContext = contextRejection({ logger, metrics });
  const rateLimits = createRateLimits(config, database, (kind) => metrics.rateLimited.inc({ kind }));
  const guard = createOperationGuard({ config, schema, rateLimits });
  const formatError = createFormatError(logger, { hideSuggestions: production });

  // Issue 14: the compiled executor runs through Apollo's gateway interface, its only executor hook.
  const executor = config.GRAPHQL_EXECUTOR === 'compiled' ? createCompiledExecutor(schema, {
          cacheSize: config.COMPILED_OPERATIONS_CACHE,
          sqlPath: config.GRAPHQL_SQL_PATH === 'on',
          onExecute: (executor) => metrics.executions.inc({ executor }),
          onCompile: () => metrics.compilations.inc(),
        }) : undefined;
  const apollo = new ApolloServer<RequestContext>({
    ...(executor ? { gateway: compiledExecutionGateway(schema, executor) } : { schema }),
    formatError,
    includeStacktraceInErrorResponses: false,
    // "Did you mean …?" would name fields and types to anyone probing; developers have the docs instead.
    hideSchemaDetailsFromClientErrors: production,
    // Decided per viewer by the request plugin (INTROSPECTION).
    introspection: introspection !== 'off',
    // The same parse options and rules as the WebSocket transport (operation-guard.ts).
    validationRules: [...guard.validationRules],
    parseOptions: guard.parseOptions,
    allowBatchedHttpRequests: config.MAX_BATCH > 0,
    csrfPrevention: true,
    // main.ts owns shutdown (drain, flush, close the database); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      serviceUnavailableStatus(),
      // Nothing may leave the machine: no CDN landing page, no usage or schema reporting.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints are used; the plugin would otherwise instrument every field of every response.
      ApolloServerPluginCacheControlDisabled(),
      requestPlugin({ config, logger, accessLog, metrics, guard }),
    ],
  });
  subscriptions = attachSubscriptions({ config, httpServer, schema, database, verifyToken, accessLog, alertBus, logger, guard, formatError, metrics });
  await apollo.start();
  alertBus.onAlert(() => metrics.alerts.inc());

  app.use(requestId);
  // A browser opening the bare address lands in the explorer; API clients keep the 404 of an unknown path.
  app.get('/', (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) === 'text/html') res.redirect(302, '/graphiql');
    else next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await database.ping();
      if (!(await migrationsApplied(database))) throw new Error('migrations pending');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  // Open in development; in production only behind METRICS_TOKEN or on METRICS_PORT (observability.ts).
  app.get('/metrics', metricsEndpoint(metrics, config, 'public'));

  // A request deadline: past it the client gets 503 (the database statement timeout is set below it).
  const deadline: RequestHandler = (_req, res, next) => {
    res.setTimeout(config.REQUEST_TIMEOUT_MS, () => {
      if (!res.headersSent) res.status(503).json(jsonError(503, ErrorCode.SERVICE_UNAVAILABLE, 'Request deadline exceeded').body);
    });
    next();
  };

  app.use(syncRouter({ database, identity, verifyToken, logger, deadline, rateLimits }));
  app.use('/export', deadline, exportRouter({ database, verifyToken, accessLog, logger, rateLimits, metrics }));
  // TAXII 2.1 (src/http/taxii.ts) and the normative schema its indicator-series extension definition names.
  app.use('/taxii2', deadline, taxiiRouter({ database, verifyToken, accessLog, logger, rateLimits, maxContentLength: config.MAX_BODY_BYTES }));
  app.get(SERIES_SCHEMA_PATH, (_req, res) => {
    res.setHeader('content-type', 'application/schema+json');
    res.send(JSON.stringify(SERIES_SCHEMA, null, 2));
  });
  // Before /graphql: a browser's GET /graphql (Accept: text/html) gets the GraphiQL page.
  app.use(graphiqlRouter({ config, logger }));

  const batchCap: RequestHandler = (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length > config.MAX_BATCH) {
      res.status(400).json(jsonError(400, ErrorCode.BAD_USER_INPUT, `A batch may hold at most ${config.MAX_BATCH} operations`).body);
      return;
    }
    next();
  };

  app.use(
    '/graphql',
    deadline,
    charsetGuard,
    express.json({ limit: config.MAX_BODY_BYTES }),
    bodyErrors,
    batchCap,
    documentSize(guard),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        // Every statement of the request is counted, the viewer lookup included; rate-limit bookkeeping is not.
        const statements: StatementCounter = { count: 0 };
        const db = database.counted(statements);
        const started = process.hrtime.bigint();
        let caller;
        try {
          const viewer = await authenticate(db, verifyToken, req.headers.authorization, database.reference);
          caller = { viewer, ip: req.ip, introspectionAllowed: guard.introspectionAllowed(viewer) };
          await guard.admitRequest(caller);
        } catch (error) {
          rejectedContext({ requestId: res.locals.requestId as string, body: req.body ?? req.query, started }, error);
          throw error;
        }
        return {
          ...createContext(db, caller.viewer, req.headers['accept-language'], database.reference, alertBus),
          statements,
          requestId: res.locals.requestId as string,
          maxFuturePeriods: config.MAX_FUTURE_PERIODS,
          alertBackfillHorizonDays: config.ALERT_BACKFILL_HORIZON_DAYS,
          ip: caller.ip,
          introspectionAllowed: caller.introspectionAllowed,
        };
      },
    }),
  );

  const metricsServer = await startMetricsServer(config, metrics, logger);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  // Say where it can be reached: a loopback-only development server (its /dev/token gives anyone tokens) should not surprise a colleague.
  const loopbackOnly = config.HOST === '127.0.0.1' || config.HOST === '::1' || config.HOST === 'localhost';
  const hostInUrl = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  logger.info(
    { host: config.HOST, port, database: database.kind },
    `CT-EWN Graph listening on http://${hostInUrl}:${port}${loopbackOnly ? ' (this machine only; set HOST=0.0.0.0 to accept other machines)' : ''}`,
  );

  return {
    httpServer,
    port,
    metricsPort: metricsServer?.port,
    // Closes subscriptions, then drains in-flight requests (the drain plugin closes the listener first).
    stop: async () => {
      await subscriptions?.close();
      await apollo.stop();
      await metricsServer?.close();
    },
  };
}
