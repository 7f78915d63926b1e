import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import { Kind, parse } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { loadExamples } from './graphiql/examples.js';

/** The label of every operation name that is neither known nor among the first learned ones. */
export const OTHER_OPERATION = 'other';

/**
 * Operation names are chosen by clients, and each distinct one costs about 14 series (3 outcomes, the
 * latency histogram) for the life of the process: 300 names made 3,696 series. One rule bounds them: a
 * known name (an example operation of examples/operations/, or one listed in METRICS_OPERATIONS) keeps
 * its own label; so do the first `maxLearned` other names a process sees (METRICS_MAX_OPERATIONS, 0 by
 * default); every other name is counted under "other", so totals stay right. ("anonymous" and "other"
 * themselves are always labels.)
 */
export function boundedOperations(known: Iterable<string>, maxLearned: number): (label: string) => string {
  const allowed = new Set(known);
  const learned = new Set<string>();
  return (label) => {
    if (label === 'anonymous' || label === OTHER_OPERATION || allowed.has(label) || learned.has(label)) return label;
    if (learned.size >= maxLearned) return OTHER_OPERATION;
    learned.add(label);
    return label;
  };
}

/** The names of the example operations (examples/operations/*.graphql): the operations users run first. */
export function exampleOperationNames(): string[] {
  const names: string[] = [];
  for (const example of loadExamples()) {
    for (const definition of parse(example.query).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
    }
  }
  return names;
}

/** The `code` label: the error catalogue's codes, anything else "other" (codes come from our code only, but bound them anyway). */
const KNOWN_CODES = new Set<string>([...Object.values(ErrorCode), 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);
export const codeLabel = (code: unknown): string => (typeof code === 'string' && KNOWN_CODES.has(code) ? code : OTHER_OPERATION);

/**
 * The prom-client defaults, less three gauges whose names end in `_total` (promtool check metrics: "non-
 * counter metrics should not have _total suffix"): the same counts by type stay, as nodejs_active_handles,
 * nodejs_active_requests and nodejs_active_resources; sum() over them gives the totals.
 */
const TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
function defaultMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of TOTAL_GAUGES) registry.removeSingleMetric(`${prefix}${name}`);
}

/** Prometheus metrics of one API process (GET /metrics). */
export function createMetrics(
  database: Database,
  gauges: { subscriptions: () => number },
  options: { knownOperations?: Iterable<string>; maxOperations?: number } = {},
) {
  const registry = new Registry();
  defaultMetrics(registry, 'ctewn_');
  const operation = boundedOperations(options.knownOperations ?? [], options.maxOperations ?? 0);
  const requestsByOperation = new Counter({
    name: 'ctewn_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok, error, rejected).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const durationByOperation = new Histogram({
    name: 'ctewn_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const denials = new Counter({ name: 'ctewn_authorization_denials_total', help: 'Fields refused by the field policy.', registers: [registry] });
  const rateLimited = new Counter({
    name: 'ctewn_rate_limit_rejections_total',
    help: 'Requests refused by the per-organization rate limits.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const rejectionsByCode = new Counter({
    name: 'ctewn_rejections_total',
    help: 'Requests refused, by endpoint (graphql, export, websocket), operation name and error code (extensions.code): a bad token, a limit, a validation failure, a rate limit.',
    labelNames: ['endpoint', 'operation', 'code'] as const,
    registers: [registry],
  });
  const executions = new Counter({
    name: 'ctewn_graphql_executions_total',
    help: 'Queries and mutations executed over HTTP by the compiled executor (GRAPHQL_EXECUTOR=compiled): sql (a list shaped as JSON by PostgreSQL, GRAPHQL_SQL_PATH), compiled (graphql-jit) or standard (graphql-js: introspection, a document graphql-jit cannot compile).',
    labelNames: ['executor'] as const,
    registers: [registry],
  });
  const compilations = new Counter({
    name: 'ctewn_graphql_compilations_total',
    help: 'Documents compiled (a cache miss of COMPILED_OPERATIONS_CACHE): steady growth means clients send ever-new documents.',
    registers: [registry],
  });
  const alerts = new Counter({ name: 'ctewn_alerts_notified_total', help: 'Alerts announced to this process (raised anywhere in the cluster).', registers: [registry] });
  new Gauge({
    name: 'ctewn_subscriptions_active',
    help: 'Open WebSocket subscription connections.',
    registers: [registry],
    collect() {
      this.set(gauges.subscriptions());
    },
  });
  new Gauge({
    name: 'ctewn_db_pool_connections',
    help: 'node-postgres pool connections by state (PostgreSQL only).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = database.pool;
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  // Every write to an operation-labelled metric goes through the bound.
  const requests = {
    inc: (labels: { operation: string; outcome: string }) => requestsByOperation.inc({ ...labels, operation: operation(labels.operation) }),
  };
  const duration = {
    observe: (labels: { operation: string }, seconds: number) => durationByOperation.observe({ operation: operation(labels.operation) }, seconds),
  };
  const rejections = {
    inc: (labels: { endpoint: 'graphql' | 'export' | 'websocket'; operation: string; code: unknown }) =>
      rejectionsByCode.inc({ endpoint: labels.endpoint, operation: labels.endpoint === 'export' ? labels.operation : operation(labels.operation), code: codeLabel(labels.code) }),
  };
  return { registry, requests, duration, denials, rateLimited, rejections, alerts, executions, compilations };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A bounded label: operation names come from clients. */
export function operationLabel(name: string | null | undefined): string {
  return name && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : 'anonymous';
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Takes the caller's request id (x-request-id, else the trace id of a W3C traceparent) or makes one. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.header('x-request-id');
  const trace = TRACEPARENT.exec(req.header('traceparent') ?? '')?.[1];
  const id = given && REQUEST_ID.test(given) ? given : (trace ?? randomUUID());
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  next();
};

// ---- Who may read /metrics ----

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The bearer token, compared in constant time (digests of equal length, so neither length nor prefix leaks). */
function hasToken(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * GET /metrics. On the public port it is served only when no METRICS_PORT is set, and then behind
 * METRICS_TOKEN if one is set; in production with neither, it is not served at all (the request falls
 * through to the ordinary 404 of an unknown path, so nothing tells it exists). On METRICS_PORT it is
 * served, behind METRICS_TOKEN if set. In development and tests without either it stays open.
 */
export function metricsEndpoint(metrics: Metrics, config: Config, where: 'public' | 'metrics-port'): RequestHandler {
  const served = where === 'metrics-port' || (config.METRICS_PORT === undefined && (config.METRICS_TOKEN !== undefined || config.NODE_ENV !== 'production'));
  return async (req, res, next) => {
    if (!served) return next();
    if (config.METRICS_TOKEN !== undefined && !hasToken(req.headers.authorization, config.METRICS_TOKEN)) {
      res
        .status(401)
        .setHeader('www-authenticate', 'Bearer realm="metrics"')
        .json({ errors: [{ message: 'GET /metrics needs the METRICS_TOKEN bearer token', extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The metrics listener of METRICS_PORT, on the same HOST as the API: it serves /metrics and nothing else,
 * so the port can be left out of the load balancer or ingress and scraped from the internal network.
 */
export async function startMetricsServer(config: Config, metrics: Metrics, logger: Logger): Promise<MetricsServer | undefined> {
  if (config.METRICS_PORT === undefined) return undefined;
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsEndpoint(metrics, config, 'metrics-port'));
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.METRICS_PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.METRICS_PORT;
  logger.info({ port }, 'metrics listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
