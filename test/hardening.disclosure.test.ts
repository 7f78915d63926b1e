import { PassThrough } from 'node:stream';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormatError } from '../src/http/format-error.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

let prod: TestApp;
let idp: TestIdentityProvider;
const logLines: Record<string, unknown>[] = [];
beforeAll(async () => {
  idp = await createIdentityProvider();
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => logLines.push(JSON.parse(line))));
  prod = await startTestApp({ ...idp.env, NODE_ENV: 'production', LOG_LEVEL: 'info', METRICS_TOKEN, METRICS_OPERATIONS: 'MetricsProbe' }, { logStream: stream });
});
afterAll(() => prod?.stop());

const INTROSPECT = '{ __schema { queryType { name } } }';
// Production serves /metrics only behind a token or on its own port (test/hardening.metrics.test.ts).
const METRICS_TOKEN = 'disclosure-test-metrics-token';

describe('introspection (production)', () => {
  it('is refused to anonymous callers and served to members', async () => {
    const anonymous = await gql(prod.url, INTROSPECT);
    expect(anonymous.status).toBe(403);
    expect(anonymous.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(anonymous.data ?? null).toBeNull();
    const hidden = await gql(prod.url, '{ __type(name: "Report") { fields { name } } }');
    expect(hidden.status).toBe(403);
    const member = await gql(prod.url, INTROSPECT, {}, await headersFor(idp, 'scoRats'));
    expect(member.data!.__schema.queryType.name).toBe('Query');
  });

  it('the federation _service field follows the same rule', async () => {
    const anonymous = await gql(prod.url, '{ _service { sdl } }');
    expect(anonymous.data ?? null).toBeNull();
    expect(anonymous.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(anonymous)).not.toContain('type Report');
    const member = await gql(prod.url, '{ _service { sdl } }', {}, await headersFor(idp, 'scoRats'));
    expect(member.data!._service.sdl).toContain('type Report');
  });

  it('INTROSPECTION=off refuses members too', async () => {
    const off = await startTestApp({ ...idp.env, NODE_ENV: 'production', INTROSPECTION: 'off' });
    try {
      const member = await gql(off.url, INTROSPECT, {}, await headersFor(idp, 'scoRats'));
      expect(member.status).toBe(400);
      expect(member.data ?? null).toBeNull();
    } finally {
      await off.stop();
    }
  });
});

describe('no "did you mean" in production', () => {
  it('in validation, enum and variable errors', async () => {
    const responses = await Promise.all([
      gql(prod.url, '{ reprts { totalCount } }'),
      gql(prod.url, '{ reports(orderBy: PUBLISHED) { totalCount } }'),
      gql(prod.url, 'query($o: ReportOrder) { reports(orderBy: $o) { totalCount } }', { o: 'PUBLISHED' }),
      gql(prod.url, 'query($f: ReportFilter) { reports(filter: $f) { totalCount } }', { f: { contry: 'TJK' } }),
    ]);
    for (const response of responses) {
      expect(response.errors!.length).toBeGreaterThan(0);
      expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|PUBLISHED_DESC|"country"/);
    }
  });
});

describe('CSRF prevention and GET', () => {
  it('refuses a simple GET a page on another origin could make, and never runs a mutation over GET', async () => {
    const simple = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ countries { iso3 } }')}`);
    expect(simple.status).toBe(400);
    const withPreflight = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ countries { iso3 } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(withPreflight.status).toBe(200);
    const mutation = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('mutation { revokeShare(grantId: "00000000-0000-4000-8000-000000000000") { id } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(mutation.status).toBe(405);
  });
});

describe('unexpected errors are masked', () => {
  const lines: unknown[] = [];
  const logger = { error: (obj: unknown) => lines.push(obj), warn: (obj: unknown) => lines.push(obj) } as never;
  const format = createFormatError(logger);

  it('a bug becomes a generic message with an error id; the detail goes to the log only', () => {
    const bug = new GraphQLError('Cannot read properties of undefined (reading "x") at /work/main/src/db/x.ts:10', { originalError: new TypeError('boom') });
    const out = format({ message: bug.message, path: ['report'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, bug);
    expect(out.message).toMatch(/^Internal server error \(error id [0-9a-f-]{36}\)$/);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', errorId: expect.any(String) });
    expect(JSON.stringify(out)).not.toMatch(/work|stack|boom|undefined/);
    expect(lines).toHaveLength(1);
  });

  it('a database that is down or restarting is SERVICE_UNAVAILABLE, with no host or SQL', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const wrapped = new GraphQLError('Failed query: select "id" from "reports"', { originalError: Object.assign(new Error('Failed query: select'), { cause: refused }) });
    const out = format({ message: wrapped.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, wrapped);
    expect(out.extensions!.code).toBe('SERVICE_UNAVAILABLE');
    expect(out.message).not.toMatch(/127\.0\.0\.1|select|5432/);
  });
});

describe('observability', () => {
  it('takes the caller’s request id (or a traceparent trace id) and echoes it', async () => {
    const given = await fetch(`${prod.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const trace = await fetch(`${prod.url}/healthz`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(trace.headers.get('x-request-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const junk = await fetch(`${prod.url}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(junk.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request with id, operation, organization and duration, never the token', async () => {
    const headers = await headersFor(idp, 'unodcAnalyst');
    await fetch(`${prod.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-check-1', ...headers },
      body: JSON.stringify({ query: 'query LatestAlerts { alerts(first: 1) { totalCount } }' }),
    });
    const line = logLines.find((l) => l.requestId === 'log-check-1');
    expect(line).toMatchObject({ operation: 'LatestAlerts', organization: 'unodc', outcome: 'ok', durationMs: expect.any(Number) });
    const token = headers.authorization!.replace('Bearer ', '');
    expect(JSON.stringify(logLines)).not.toContain(token);
  });

  it('exposes Prometheus metrics', async () => {
    await gql(prod.url, 'query MetricsProbe { organizations(first: 1) { edges { node { focalPoint { name } } } } }');
    const text = await (await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/ctewn_graphql_requests_total\{operation="MetricsProbe",outcome="error"\} 1/);
    expect(text).toMatch(/ctewn_graphql_request_duration_seconds_bucket\{le="0.1",operation="MetricsProbe"\}/);
    expect(text).toMatch(/ctewn_authorization_denials_total [1-9]/);
    expect(text).toMatch(/ctewn_subscriptions_active 0/);
    expect(text).toMatch(/ctewn_rate_limit_rejections_total/);
    expect(text).toMatch(/ctewn_process_resident_memory_bytes/);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${prod.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${prod.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
