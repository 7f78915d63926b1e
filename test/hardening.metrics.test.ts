import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Threats: series without bound (the `operation` label took any client-chosen name: 300 names → 3,696
 * series, never expiring), and /metrics open to anyone in production.
 */

const TOKEN = 'metrics-test-token-0123456789';
const MAX_OPERATIONS = 20;

let idp: TestIdentityProvider;
let development: TestApp;
let defaults: TestApp;
let productionBare: TestApp;
let productionToken: TestApp;
let productionPort: TestApp;
beforeAll(async () => {
  idp = await createIdentityProvider();
  // An empty database is enough: only `{ __typename }` is asked.
  const base = { ...idp.env, SEED_SAMPLE_DATA: 'false' };
  development = await startTestApp({ ...base, METRICS_MAX_OPERATIONS: String(MAX_OPERATIONS) });
  defaults = await startTestApp({ ...base, METRICS_OPERATIONS: 'PartnerDashboard, NightlySync' });
  productionBare = await startTestApp({ ...base, NODE_ENV: 'production' });
  productionToken = await startTestApp({ ...base, NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
  productionPort = await startTestApp({ ...base, NODE_ENV: 'production', METRICS_PORT: '0' });
});
afterAll(async () => {
  for (const app of [development, defaults, productionBare, productionToken, productionPort]) await app?.stop();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The Prometheus text format (version 0.0.4) as a scraper reads it: every line is a HELP, a TYPE, or a
 * sample of a family whose TYPE came before; label values are quoted; values are numbers.
 */
function parseExposition(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').filter(Boolean)) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(comment[3]);
        types.set(comment[2]!, comment[3]!);
        // Prometheus naming (promtool check metrics): `_total` is a counter's suffix only.
        if (comment[3] !== 'counter') expect(comment[2], line).not.toMatch(/_total$/);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, line).not.toBeNull();
    const [, name, labelText = '', value] = sample!;
    const family = [...types.keys()].find((t) => name === t || ((types.get(t) === 'histogram' || types.get(t) === 'summary') && /^(_bucket|_sum|_count)$/.test(name!.slice(t.length)) && name!.startsWith(t)));
    expect(family, `${name} has no TYPE line before it`).toBeDefined();
    const labels: Record<string, string> = {};
    for (const pair of labelText.match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const at = pair.indexOf('=');
      labels[pair.slice(0, at)] = pair.slice(at + 2, -1);
    }
    expect(labelText.replace(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?/g, ''), line).toBe('');
    // Values are what Go's ParseFloat reads (the format's own rule), so NaN and Inf in any case: prom-client
    // writes an event-loop lag with no sample yet as "Nan".
    expect(value, line).toMatch(/^(nan|[+-]?inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/i);
    samples.push({ name: name!, labels, value: Number(value) });
  }
  return samples;
}

describe('the operation label is bounded (METRICS_MAX_OPERATIONS)', () => {
  it('300 distinct operation names: the first 20 keep their own label, the rest are counted under "other"', async () => {
    for (let i = 0; i < 300; i += 15) {
      const batch = Array.from({ length: 15 }, (_, j) => gql(development.url, `query Probe${i + j} { __typename }`));
      for (const response of await Promise.all(batch)) expect(response.data).toEqual({ __typename: 'Query' });
    }
    const response = await get(`${development.url}/metrics`);
    expect(response.status).toBe(200);
    const samples = parseExposition(response.text);
    const requests = samples.filter((s) => s.name === 'ctewn_graphql_requests_total');
    const operations = new Set(requests.map((s) => s.labels.operation));
    expect(operations.size).toBe(MAX_OPERATIONS + 1);
    expect(operations).toContain('other');
    expect([...operations].filter((o) => o !== 'other').every((o) => /^Probe\d+$/.test(o!))).toBe(true);
    // The totals stay right: every request is counted once, under its own name or under "other".
    expect(requests.reduce((sum, s) => sum + s.value, 0)).toBe(300);
    expect(requests.find((s) => s.labels.operation === 'other')!.value).toBe(300 - MAX_OPERATIONS);
    const histogramCounts = samples.filter((s) => s.name === 'ctewn_graphql_request_duration_seconds_count');
    expect(new Set(histogramCounts.map((s) => s.labels.operation)).size).toBe(MAX_OPERATIONS + 1);
    const series = samples.filter((s) => s.labels.operation !== undefined).length;
    expect(series).toBeLessThanOrEqual((MAX_OPERATIONS + 1) * 15);
  });
});

describe('the operation label: known names, else "other" (by default)', () => {
  it('fresh client-chosen names add no series; example operations and METRICS_OPERATIONS keep their label', async () => {
    const before = parseExposition((await get(`${defaults.url}/metrics`)).text).filter((s) => s.labels.operation !== undefined).length;
    for (const name of ['Fresh1', 'Fresh2', 'Fresh3']) expect((await gql(defaults.url, `query ${name} { __typename }`)).data).toEqual({ __typename: 'Query' });
    const afterFresh = parseExposition((await get(`${defaults.url}/metrics`)).text);
    // "other" and its histogram: one outcome series, 14 histogram series; never one per name.
    expect(afterFresh.filter((s) => s.labels.operation !== undefined).length).toBeLessThanOrEqual(before + 15);
    expect(afterFresh.some((s) => /^Fresh/.test(s.labels.operation ?? ''))).toBe(false);
    expect(afterFresh.find((s) => s.name === 'ctewn_graphql_requests_total' && s.labels.operation === 'other')?.value).toBe(3);
    // WhoAmI is examples/operations/09-who-am-i.graphql; the other two are METRICS_OPERATIONS.
    for (const name of ['WhoAmI', 'PartnerDashboard', 'NightlySync']) await gql(defaults.url, `query ${name} { __typename }`);
    const requests = parseExposition((await get(`${defaults.url}/metrics`)).text).filter((s) => s.name === 'ctewn_graphql_requests_total');
    expect(new Set(requests.map((s) => s.labels.operation))).toEqual(new Set(['other', 'WhoAmI', 'PartnerDashboard', 'NightlySync']));
  });

  it('METRICS_OPERATIONS refuses what is no operation name', async () => {
    await expect(startTestApp({ SEED_SAMPLE_DATA: 'false', METRICS_OPERATIONS: 'Good,not-a-name' })).rejects.toThrow(/METRICS_OPERATIONS/);
  });
});

// Debian's `prometheus` package installs it (.ci/run does); the parser above checks the same naming rule.
const PROMTOOL = '/usr/bin/promtool';
describe('promtool check metrics', () => {
  it.skipIf(!existsSync(PROMTOOL))('accepts the exposition (skipped when /usr/bin/promtool is missing: apt-get install prometheus)', async () => {
    await gql(defaults.url, 'query WhoAmI { __typename }');
    const text = (await get(`${defaults.url}/metrics`)).text;
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('who may read /metrics', () => {
  it('development: open, as before, in the Prometheus text format with every family', async () => {
    const response = await get(`${development.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseExposition(response.text).length).toBeGreaterThan(10);
    for (const [family, type] of [
      ['ctewn_graphql_requests_total', 'counter'],
      ['ctewn_graphql_request_duration_seconds', 'histogram'],
      ['ctewn_authorization_denials_total', 'counter'],
      ['ctewn_rate_limit_rejections_total', 'counter'],
      ['ctewn_alerts_notified_total', 'counter'],
      ['ctewn_subscriptions_active', 'gauge'],
      ['ctewn_db_pool_connections', 'gauge'],
      ['ctewn_process_resident_memory_bytes', 'gauge'],
    ]) {
      expect(response.text).toContain(`\n# TYPE ${family} ${type}\n`);
    }
  });

  it('production with neither METRICS_TOKEN nor METRICS_PORT: not served (the 404 of an unknown path)', async () => {
    const metrics = await get(`${productionBare.url}/metrics`);
    const unknown = await get(`${productionBare.url}/no-such-path`);
    expect(metrics.status).toBe(404);
    expect(metrics.text).not.toContain('ctewn_');
    expect(metrics.text.replace('/metrics', '/no-such-path')).toBe(unknown.text);
    expect((await get(`${productionBare.url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it('production with METRICS_TOKEN: refused without the bearer token, served with it', async () => {
    const url = `${productionToken.url}/metrics`;
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, 8)}`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const refused = await get(url, authorization ? { authorization } : {});
      expect(refused.status, authorization).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(refused.text).not.toContain('ctewn_');
    }
    const served = await get(url, { authorization: `Bearer ${TOKEN}` });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseExposition(served.text).some((s) => s.name === 'ctewn_graphql_requests_total' || s.name === 'ctewn_process_resident_memory_bytes')).toBe(true);
  });

  it('production with METRICS_PORT: served on that port only (and nothing else there)', async () => {
    const port = productionPort.app.server.metricsPort;
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(productionPort.app.server.port);
    expect((await get(`${productionPort.url}/metrics`)).status).toBe(404);
    const served = await get(`http://127.0.0.1:${port}/metrics`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseExposition(served.text).length).toBeGreaterThan(10);
    for (const path of ['/graphql', '/export/reports.csv', '/healthz']) expect((await get(`http://127.0.0.1:${port}${path}`)).status, path).toBe(404);
  });
});
