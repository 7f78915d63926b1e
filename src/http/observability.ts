import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database.js';

/** Prometheus metrics of one API process (GET /metrics). */
export function createMetrics(database: Database, gauges: { subscriptions: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ctewn_' });
  const requests = new Counter({
    name: 'ctewn_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok, error, rejected).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
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
  return { registry, requests, duration, denials, rateLimited, alerts };
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
