import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelScales } from '../src/alerts/levels.js';
import type { IndicatorRow } from '../src/db/schema/indicators.js';
import { INDICATORS } from '../src/db/seed/indicators.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Thresholds per country and rates per 100,000 population (issue 15): a level compares across states.
 * The sample judges Afghanistan's incidents (VE-01) by its own thresholds, and arrests (VE-02) per 100,000
 * population. Values are written in far-future periods (2039) so the sample's series are untouched; their
 * rate divides by the latest figure before them (2026's).
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
});
afterAll(() => api?.stop());

const as = async (org: string, roles = ['contributor', 'analyst'], sub = `sample:${org}:analyst-1`) => ({
  authorization: `Bearer ${await idp.sign({ sub, org, roles })}`,
});
const admin = () => as('unrcca', ['network-admin']);
const reader = () => as('unrcca', ['analyst']);

async function ok<T = Record<string, any>>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
  const r = await gql<T>(api.url, query, variables, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id value rate level } } }`;
async function record(org: string, indicator: string, country: string, period: string, value: number) {
  const input = [{ indicator, country, period, value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }];
  return (await ok<{ recordObservations: { observations: { id: string; value: number; rate: number | null; level: string }[] } }>(RECORD, { input }, await as(org, ['contributor'])))
    .recordObservations.observations[0]!;
}

const ALERTS = `query($indicator: String!, $country: String!) {
  alerts(first: 20, filter: { indicator: $indicator, country: $country, periodFrom: "2039-01", includeSuperseded: true }, orderBy: PERIOD_DESC) {
    edges { node { id level rule value threshold rate status period } } } }`;
/** The THRESHOLD alerts of a series from 2039 on (a value far above the series' past also breaks its TREND). */
async function alertsOf(indicator: string, country: string) {
  const data = await ok<{ alerts: { edges: { node: Record<string, unknown> }[] } }>(ALERTS, { indicator, country }, await reader());
  return data.alerts.edges.map((e) => e.node).filter((a) => a.rule === 'THRESHOLD');
}

describe("a country's own thresholds", () => {
  it("are read beside the defaults: Afghanistan's for VE-01, the defaults for Kazakhstan", async () => {
    const data = await ok(
      `{ indicator(code: "VE-01") { thresholds { watch warning critical basis country note }
          countryThresholds { country watch warning critical basis note }
          afg: thresholdsFor(country: "AFG") { watch country } kaz: thresholdsFor(country: "KAZ") { watch country } } }`,
      {},
      {},
    );
    expect(data.indicator.thresholds).toEqual({ watch: 3, warning: 6, critical: 10, basis: 'ABSOLUTE', country: null, note: null });
    expect(data.indicator.countryThresholds).toEqual([
      { country: 'AFG', watch: 12, warning: 20, critical: 35, basis: 'ABSOLUTE', note: expect.stringContaining('another order') },
    ]);
    expect(data.indicator.afg).toEqual({ watch: 12, country: 'AFG' });
    expect(data.indicator.kaz).toEqual({ watch: 3, country: null });
  });

  it('judge the values and alerts of their country: 15 incidents are CRITICAL in Kazakhstan and WATCH in Afghanistan', async () => {
    expect(await record('kaz-ct', 'VE-01', 'KAZ', '2039-01', 15)).toMatchObject({ level: 'CRITICAL', rate: expect.any(Number) });
    expect(await record('unama', 'VE-01', 'AFG', '2039-01', 15)).toMatchObject({ level: 'WATCH' });
    expect(await alertsOf('VE-01', 'KAZ')).toEqual([expect.objectContaining({ rule: 'THRESHOLD', level: 'CRITICAL', threshold: 10, rate: null, status: 'OPEN' })]);
    expect(await alertsOf('VE-01', 'AFG')).toEqual([expect.objectContaining({ rule: 'THRESHOLD', level: 'WATCH', threshold: 12 })]);
  });

  it('are kept by network-admin only, in the worse direction, for countries the indicator applies to, with clear errors', async () => {
    const SET = `mutation($country: String!, $w: Float!, $wa: Float!, $c: Float!) { setCountryThresholds(indicator: "VE-01", country: $country, watch: $w, warning: $wa, critical: $c, note: "Test") { alerts { kept } } }`;
    const refused = await gql(api.url, SET, { country: 'KAZ', w: 20, wa: 30, c: 40 }, await as('kaz-ct', ['contributor', 'org-admin']));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const disorder = await gql(api.url, SET, { country: 'KAZ', w: 20, wa: 10, c: 40 }, await admin());
    expect(disorder.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'warning' }, message: expect.stringContaining('watch < warning < critical (got 20, 10, 40)') });
    const outside = await gql(api.url, SET.replace('"VE-01"', '"AFG-01"'), { country: 'KAZ', w: 20, wa: 30, c: 40 }, await admin());
    expect(outside.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'country' }, message: expect.stringContaining('AFG-01 does not apply to KAZ') });
    const unknown = await gql(api.url, SET.replace('"VE-01"', '"XX-99"'), { country: 'KAZ', w: 20, wa: 30, c: 40 }, await admin());
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // Nothing was written by any of them.
    expect((await ok(`{ indicator(code: "VE-01") { countryThresholds { country } } }`, {}, {})).indicator.countryThresholds).toEqual([{ country: 'AFG' }]);
  });

  it("re-evaluate the country's alerts when set and when removed, in the same transaction, audited", async () => {
    const SET = `mutation { setCountryThresholds(indicator: "VE-01", country: "KAZ", watch: 20, warning: 30, critical: 40, note: "Kazakhstan counts incidents of every scale") {
      indicator { kaz: thresholdsFor(country: "KAZ") { watch country note } } alerts { kept superseded raised } } }`;
    const set = (await ok(SET, {}, await admin())).setCountryThresholds;
    expect(set.indicator.kaz).toEqual({ watch: 20, country: 'KAZ', note: 'Kazakhstan counts incidents of every scale' });
    expect(set.alerts.superseded).toBeGreaterThanOrEqual(1);
    // 15 is below Kazakhstan's new watch level: its level is NONE and its CRITICAL alert no longer holds (kept, superseded).
    const read = `{ indicator(code: "VE-01") { observations(country: "KAZ", from: "2039-01", to: "2039-01") { edges { node { value level } } } } }`;
    expect((await ok(read, {}, await reader())).indicator.observations.edges).toEqual([{ node: { value: 15, level: 'NONE' } }]);
    const kaz = await alertsOf('VE-01', 'KAZ');
    expect(kaz).toEqual([expect.objectContaining({ level: 'CRITICAL', status: 'SUPERSEDED' })]);
    // Afghanistan's series was not touched.
    expect(await alertsOf('VE-01', 'AFG')).toEqual([expect.objectContaining({ level: 'WATCH', status: 'OPEN' })]);

    const removed = (await ok(`mutation { removeCountryThresholds(indicator: "VE-01", country: "KAZ", reason: "Back to the network's defaults") { alerts { raised } } }`, {}, await admin())).removeCountryThresholds;
    expect(removed.alerts.raised).toBeGreaterThanOrEqual(1);
    expect((await ok(read, {}, await reader())).indicator.observations.edges).toEqual([{ node: { value: 15, level: 'CRITICAL' } }]);
    expect((await alertsOf('VE-01', 'KAZ')).map((a) => [a.level, a.status])).toEqual(expect.arrayContaining([['CRITICAL', 'OPEN'], ['CRITICAL', 'SUPERSEDED']]));

    const audit = await ok(`{ auditEvents(first: 10, filter: { kind: "WRITE" }) { edges { node { action reason } } } }`, {}, await as('csto', ['auditor']));
    const actions = audit.auditEvents.edges.map((e: { node: { action: string; reason: string } }) => `${e.node.action}: ${e.node.reason}`);
    expect(actions).toContainEqual('setCountryThresholds: VE-01 KAZ: watch 20, warning 30, critical 40 (ABSOLUTE). Kazakhstan counts incidents of every scale');
    expect(actions).toContainEqual(expect.stringMatching(/^removeCountryThresholds: VE-01 KAZ: own thresholds \(watch 20, warning 30, critical 40\) removed/));
  });
});

describe('rates per 100,000 population', () => {
  const POPULATIONS = `query($iso3: String!) { country(iso3: $iso3) { populations { year population source } } }`;
  const latestFigure = async (iso3: string) => (await ok(POPULATIONS, { iso3 }, {})).country.populations.at(-1) as { year: number; population: number; source: string };

  it('countries carry population figures by year with their source', async () => {
    const figures = (await ok(POPULATIONS, { iso3: 'KGZ' }, {})).country.populations;
    expect(figures.map((f: { year: number }) => f.year)).toEqual([2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(figures[0].source).toMatch(/UN DESA World Population Prospects/);
  });

  it('the same count of arrests is WARNING in Kyrgyzstan and nothing in Uzbekistan: VE-02 is judged per 100,000', async () => {
    const { indicator } = await ok(`{ indicator(code: "VE-02") { thresholds { watch warning critical basis } } }`, {}, {});
    expect(indicator.thresholds).toEqual({ watch: 0.08, warning: 0.13, critical: 0.2, basis: 'PER_100K' });
    const kgz = await latestFigure('KGZ');
    const uzb = await latestFigure('UZB');
    const inKgz = await record('kgz-ct', 'VE-02', 'KGZ', '2039-01', 10);
    const inUzb = await record('uzb-ct', 'VE-02', 'UZB', '2039-01', 10);
    expect(inKgz.rate).toBeCloseTo((10 / kgz.population) * 100_000, 10);
    expect(inUzb.rate).toBeCloseTo((10 / uzb.population) * 100_000, 10);
    expect([inKgz.level, inUzb.level]).toEqual(['WARNING', 'NONE']);
    expect(await alertsOf('VE-02', 'KGZ')).toEqual([expect.objectContaining({ level: 'WARNING', value: 10, threshold: 0.13, rate: inKgz.rate, status: 'OPEN' })]);
    expect(await alertsOf('VE-02', 'UZB')).toEqual([]);
  });

  it('a measure has no rate; an absolute count has one, but its level reads the value', async () => {
    const share = await record('kaz-ct', 'OP-02', 'KAZ', '2039-01', 50);
    expect(share.rate).toBeNull();
    const incidents = await record('kaz-ct', 'VE-03', 'KAZ', '2039-01', 3);
    expect(incidents.rate).toBeGreaterThan(0);
    expect(incidents.level).toBe('WATCH'); // VE-03's watch is 2 plots, not 2 per 100,000
  });

  it("the SQL path computes rate and level as the compiled path does (one country's values under `indicators`)", async () => {
    const viaSqlPath = await ok(`{ indicators { code observations(country: "KGZ", first: 3) { edges { node { period value rate level } } } } }`, {}, await reader());
    const ve02 = viaSqlPath.indicators.find((i: { code: string }) => i.code === 'VE-02').observations.edges.map((e: { node: unknown }) => e.node);
    const compiled = await ok(`{ indicator(code: "VE-02") { observations(country: "KGZ", first: 3) { edges { node { period value rate level } } } } }`, {}, await reader());
    expect(ve02).toEqual(compiled.indicator.observations.edges.map((e: { node: unknown }) => e.node));
    expect(ve02[0]).toMatchObject({ period: '2039-01', level: 'WARNING' });
  });

  it("a new population figure re-evaluates the country's per-capita series: Kyrgyzstan's WARNING no longer holds", async () => {
    const SET = `mutation($population: Float!) { setPopulation(country: "KGZ", year: 2039, population: $population, source: "Test census") { population { year population source } alerts { superseded raised } } }`;
    const refused = await gql(api.url, SET, { population: 20_000_000 }, await as('kgz-ct', ['contributor', 'org-admin']));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const fractional = await gql(api.url, SET, { population: 1.5 }, await admin());
    expect(fractional.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('population must be a whole number') });
    const set = (await ok(SET, { population: 20_000_000 }, await admin())).setPopulation;
    expect(set.population).toEqual({ year: 2039, population: 20_000_000, source: 'Test census' });
    expect(set.alerts.superseded).toBe(1);
    const read = `{ indicator(code: "VE-02") { observations(country: "KGZ", from: "2039-01", to: "2039-01") { edges { node { rate level } } } } }`;
    const [{ node }] = (await ok(read, {}, await reader())).indicator.observations.edges;
    expect(node.rate).toBeCloseTo(0.05, 12);
    expect(node.level).toBe('NONE');
    expect(await alertsOf('VE-02', 'KGZ')).toEqual([expect.objectContaining({ level: 'WARNING', status: 'SUPERSEDED' })]);
  });

  it("network-admin changes an indicator's defaults and basis: its values are judged anew and its alerts re-evaluated, audited", async () => {
    // RR-02 (cases): 5 in Kazakhstan is nothing against the absolute defaults (watch 10).
    expect(await record('kaz-ct', 'RR-02', 'KAZ', '2039-01', 5)).toMatchObject({ level: 'NONE' });
    const SET = `mutation { setIndicatorThresholds(indicator: "RR-02", watch: 0.01, warning: 0.02, critical: 0.05, basis: PER_100K, reason: "Compare recruitment across states") {
      indicator { thresholds { watch warning critical basis } } alerts { raised } } }`;
    const set = (await ok(SET, {}, await admin())).setIndicatorThresholds;
    expect(set.indicator.thresholds).toEqual({ watch: 0.01, warning: 0.02, critical: 0.05, basis: 'PER_100K' });
    expect(set.alerts.raised).toBeGreaterThanOrEqual(1);
    // 5 cases per Kazakhstan's ~21 million people: ~0.024 per 100,000, a WARNING now.
    const read = `{ indicator(code: "RR-02") { observations(country: "KAZ", from: "2039-01", to: "2039-01") { edges { node { rate level } } } } }`;
    expect((await ok(read, {}, await reader())).indicator.observations.edges[0].node.level).toBe('WARNING');
    expect(await alertsOf('RR-02', 'KAZ')).toEqual([expect.objectContaining({ level: 'WARNING', threshold: 0.02, status: 'OPEN' })]);
    const audit = await ok(`{ auditEvents(first: 10, filter: { kind: "WRITE" }) { edges { node { action reason } } } }`, {}, await as('csto', ['auditor']));
    expect(audit.auditEvents.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      action: 'setIndicatorThresholds',
      reason: 'RR-02 defaults: watch 0.01, warning 0.02, critical 0.05, PER_100K (were watch 10, warning 16, critical 25, ABSOLUTE). Compare recruitment across states',
    });
  });

  it('network-admin may judge a count per 100,000 but not a measure', async () => {
    const SET = `mutation($code: String!) { setIndicatorThresholds(indicator: $code, watch: 1, warning: 2, critical: 3, basis: PER_100K, reason: "Test") { indicator { code } } }`;
    const measure = await gql(api.url, SET, { code: 'OP-04' }, await admin());
    expect(measure.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'basis' }, message: expect.stringContaining('only counts are judged per 100,000') });
  });
});

describe('LevelScales (the one place levels are judged)', () => {
  const ve02 = INDICATORS.find((i) => i.code === 'VE-02') as unknown as IndicatorRow;
  const op02 = INDICATORS.find((i) => i.code === 'OP-02') as unknown as IndicatorRow;
  const scales = new LevelScales(
    new Map([
      ['VE-02', ve02],
      ['OP-02', op02],
    ]),
    new Map(),
    new Map([['KGZ', [{ year: 2020, population: 1_000_000, source: 's' }, { year: 2024, population: 2_000_000, source: 's' }]]]),
  );

  it("divides by the period year's figure, else the nearest before, else the earliest after", () => {
    expect(scales.rateOf('VE-02', 'KGZ', '2020-05-01', 10)).toBe(1);
    expect(scales.rateOf('VE-02', 'KGZ', '2023-05-01', 10)).toBe(1);
    expect(scales.rateOf('VE-02', 'KGZ', '2024-01-01', 10)).toBe(0.5);
    expect(scales.rateOf('VE-02', 'KGZ', '2030-01-01', 10)).toBe(0.5);
    expect(scales.rateOf('VE-02', 'KGZ', '2010-01-01', 10)).toBe(1);
  });

  it('has no rate for a measure, nor without a figure; a per-capita value without one has no level', () => {
    expect(scales.rateOf('OP-02', 'KGZ', '2024-01-01', 50)).toBeNull();
    expect(scales.rateOf('VE-02', 'UZB', '2024-01-01', 50)).toBeNull();
    expect(scales.levelOf('VE-02', 'UZB', '2024-01-01', 5000)).toBe('NONE');
    expect(scales.levelOf('VE-02', 'KGZ', '2024-01-01', 5)).toBe('CRITICAL'); // 0.25 per 100,000
  });
});
