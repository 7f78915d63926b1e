import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * The overview an analyst opens first (issue 15), checked against the lists it summarises, as each persona
 * reads them: the same values (so the same row and revision rules), the same alerts, the same reports, in
 * a fixed number of statements for one country and for the region.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
});
afterAll(() => api?.stop());

const PERSONAS: Record<string, () => Promise<Record<string, string>>> = {
  anonymous: async () => ({}),
  'uzb-ct': async () => ({ authorization: `Bearer ${await idp.sign({ sub: 'sample:uzb-ct:analyst-1', org: 'uzb-ct', roles: ['analyst'] })}` }),
  'kaz-ct': async () => ({ authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['analyst'] })}` }),
};

const OVERVIEW = `query($country: String) { overview(country: $country) {
  country { iso3 }
  themes { theme indicators { indicator { code theme } series {
    current { id value period source { id } country { iso3 } indicator { code } level }
    previous { id value } yearBefore { id value } changeFromPrevious changeFromYearBefore } } }
  openAlerts { watch warning critical }
  latestReports { topic reports { id } } } }`;

interface Value {
  id: string;
  value: number;
  periodStart: string;
  indicator: { code: string; periodicity: string };
  source: { id: string };
}
const LIST = `query($after: String) { country(iso3: "KAZ") { observations(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id value periodStart indicator { code periodicity } source { id } } } } } }`;

interface ValuePage {
  pageInfo: { hasNextPage: boolean; endCursor: string };
  edges: { node: Value }[];
}
async function valuePage(after: string | null, headers: Record<string, string>): Promise<ValuePage> {
  const r = await gql<{ country: { observations: ValuePage } }>(api.url, LIST, { after }, headers);
  expect(r.errors).toBeUndefined();
  return r.data!.country.observations;
}

/** Every value of Kazakhstan the viewer may see, through the list's cursors. */
async function everyValue(headers: Record<string, string>): Promise<Value[]> {
  let page = await valuePage(null, headers);
  const values = page.edges.map((e) => e.node);
  while (page.pageInfo.hasNextPage) {
    page = await valuePage(page.pageInfo.endCursor, headers);
    values.push(...page.edges.map((e) => e.node));
  }
  return values;
}

function shift(periodStart: string, months: number): string {
  const [y, m] = periodStart.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - months;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`;
}
const STEP = { MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12 } as Record<string, number>;

describe('overview of a country', () => {
  for (const persona of Object.keys(PERSONAS)) {
    it(`${persona}: each source's latest value, the period before and a year before, as the lists give them`, async () => {
      const headers = await PERSONAS[persona]!();
      const [overview, values] = await Promise.all([gql(api.url, OVERVIEW, { country: 'KAZ' }, headers), everyValue(headers)]);
      expect(overview.errors).toBeUndefined();
      const bySeries = new Map<string, Value[]>();
      for (const v of values) {
        const key = `${v.indicator.code}|${v.source.id}`;
        bySeries.set(key, [...(bySeries.get(key) ?? []), v]);
      }
      const expected = [...bySeries].map(([key, list]) => {
        const latest = list.reduce((a, b) => (b.periodStart > a.periodStart ? b : a));
        const at = (months: number) => list.find((v) => v.periodStart === shift(latest.periodStart, months)) ?? null;
        const step = STEP[latest.indicator.periodicity]!;
        const previous = at(step);
        const yearBefore = at(12);
        return { key, current: latest.id, previous: previous?.id ?? null, yearBefore: yearBefore?.id ?? null, change: previous ? latest.value - previous.value : null, yearChange: yearBefore ? latest.value - yearBefore.value : null };
      });
      type S = { current: { id: string; source: { id: string }; indicator: { code: string }; country: { iso3: string } }; previous: { id: string } | null; yearBefore: { id: string } | null; changeFromPrevious: number | null; changeFromYearBefore: number | null };
      const got = overview.data!.overview.themes.flatMap((t: { theme: string; indicators: { indicator: { code: string; theme: string }; series: S[] }[] }) =>
        t.indicators.flatMap((i) => {
          expect(i.indicator.theme).toBe(t.theme);
          return i.series.map((s) => {
            expect(s.current.country.iso3).toBe('KAZ');
            expect(s.current.indicator.code).toBe(i.indicator.code);
            return { key: `${i.indicator.code}|${s.current.source.id}`, current: s.current.id, previous: s.previous?.id ?? null, yearBefore: s.yearBefore?.id ?? null, change: s.changeFromPrevious, yearChange: s.changeFromYearBefore };
          });
        }),
      );
      const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : 1);
      expect(got.sort(byKey)).toEqual(expected.sort(byKey));
      if (persona !== 'anonymous') expect(got.length).toBeGreaterThan(20);
      expect(got.filter((g: { previous: string | null }) => g.previous).length).toBeGreaterThan(persona === 'anonymous' ? 0 : 10);
    });
  }

  it('open alerts by level and the newest reports per topic are those the lists give', async () => {
    const headers = await PERSONAS['uzb-ct']!();
    const overview = (await gql(api.url, OVERVIEW, { country: 'KAZ' }, headers)).data!.overview;
    const atLeast = async (level: string) => (await gql(api.url, `query($l: AlertLevel) { alerts(filter: { country: "KAZ", level: $l }) { totalCount } }`, { l: level }, headers)).data!.alerts.totalCount as number;
    const [watchUp, warningUp, critical] = [await atLeast('WATCH'), await atLeast('WARNING'), await atLeast('CRITICAL')];
    expect(overview.openAlerts).toEqual({ watch: watchUp - warningUp, warning: warningUp - critical, critical });
    expect(watchUp).toBeGreaterThan(0);
    for (const { topic, reports } of overview.latestReports as { topic: string; reports: { id: string }[] }[]) {
      const list = await gql(api.url, `query($t: Topic) { reports(first: 3, filter: { country: "KAZ", topic: $t }) { edges { node { id } } } }`, { t: topic }, headers);
      expect(reports.map((r) => r.id), topic).toEqual(list.data!.reports.edges.map((e: { node: { id: string } }) => e.node.id));
    }
  });

  it('the region and one country take the same number of statements', async () => {
    const headers = await PERSONAS['uzb-ct']!();
    const one = await gql(api.url, OVERVIEW, { country: 'KAZ' }, headers);
    const region = await gql(api.url, OVERVIEW, { country: null }, headers);
    expect(region.errors).toBeUndefined();
    expect(region.data!.overview.country).toBeNull();
    const countries = new Set(region.data!.overview.themes.flatMap((t: { indicators: { series: { current: { country: { iso3: string } } }[] }[] }) => t.indicators.flatMap((i) => i.series.map((s) => s.current.country.iso3))));
    expect(countries.size).toBeGreaterThan(3);
    expect(statementsOf(region)).toBe(statementsOf(one));
    expect(statementsOf(one)).toBeLessThanOrEqual(6);
  });

  // Last: it writes values, which the tests above would then count.
  it("a correction a reader may not see changes nothing for it: its current value is the revision it may see", async () => {
    const writer = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
    const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`;
    const row = (value: number, tlp: string) => [{ indicator: 'RR-02', country: 'KAZ', period: '2041-01', value, tlp, sourceReliability: 'B', informationCredibility: 2 }];
    const first = await gql(api.url, RECORD, { input: row(5, 'GREEN') }, writer);
    const hidden = await gql(api.url, RECORD, { input: row(9, 'AMBER_STRICT') }, writer);
    expect(hidden.errors).toBeUndefined();
    const current = async (headers: Record<string, string>) => {
      const o = (await gql(api.url, OVERVIEW, { country: 'KAZ' }, headers)).data!.overview;
      const series = o.themes.flatMap((t: { indicators: { indicator: { code: string }; series: { current: { id: string; value: number; period: string; source: { id: string } } }[] }[] }) =>
        t.indicators.filter((i) => i.indicator.code === 'RR-02').flatMap((i) => i.series),
      );
      return series.find((s: { current: { source: { id: string } } }) => s.current.source.id === 'kaz-ct')!.current;
    };
    expect(await current(await PERSONAS['uzb-ct']!())).toMatchObject({ id: first.data!.recordObservations.observations[0].id, value: 5, period: '2041-01' });
    expect(await current(await PERSONAS['kaz-ct']!())).toMatchObject({ id: hidden.data!.recordObservations.observations[0].id, value: 9, period: '2041-01' });
  });

  it('an unknown country is BAD_USER_INPUT', async () => {
    const r = await gql(api.url, OVERVIEW, { country: 'XYZ' });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'country' });
  });
});
