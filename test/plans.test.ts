import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { captureStatements, explainStatements, seededDatabase, type Verdict } from './support/plans.js';
import { createIdentityProvider } from './support/tokens.js';

/**
 * The benchmark's seven workloads (bench/lib/workloads.mjs), asked by its personas, on the quick benchmark's
 * data (5,000 reports, five years of values): every statement the API sends must pass the benchmark's
 * EXPLAIN guard. "Large" is 2,000 rows here, not the benchmark's 10,000: the observations table (9,233
 * rows) is under that bound at every benchmark size, yet a read that sorts a whole series history grows
 * with it all the same.
 */
const LARGE_ROWS = 2000;

const W = {
  W1: `query W1($first: Int!) { reports(first: $first) { edges { node { id title publishedAt tlp countries { iso3 } author { id acronym } } } } }`,
  W2: `query W2($country: String!, $n: Int!) { country(iso3: $country) { iso3 name }
        indicators { code name unit observations(country: $country, first: $n) { edges { node { period value level tlp } } } } }`,
  W3: `query W3($id: UUID!, $countries: [String!]) { report(id: $id) { id title summary publishedAt tlp countries { iso3 name } author { acronym }
        indicators { code name unit latestValues(countries: $countries) { period value level tlp country { iso3 } } } } }`,
  W4: `query W4($orgs: Int!, $n: Int!) { organizations(first: $orgs) { edges { node { id acronym kind
        reports(first: $n) { edges { node { id title publishedAt tlp countries { iso3 } } } } } } } }`,
  W5: `mutation W5($input: [ObservationInput!]!, $key: String) { recordObservations(input: $input, idempotencyKey: $key) {
        replayed observations { id period value level } alerts { id level rule } } }`,
  W6: `query W6($q: String!, $country: String, $from: DateTimeISO, $first: Int!) {
        reports(first: $first, filter: { search: $q, country: $country, publishedFrom: $from }) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { id title publishedAt tlp author { acronym } countries { iso3 } } } } }`,
  W7: `query W7($country: String!, $n: Int!) { overview(country: $country, reportsPerTopic: $n) {
        openAlerts { watch warning critical }
        themes { theme indicators { indicator { code } series { current { id period value level } changeFromPrevious changeFromYearBefore } } }
        latestReports { topic reports { id title publishedAt tlp } } } }`,
};

let api: TestApp;
let database: { url: string; drop: () => Promise<void> };
let reader: Record<string, string>;
let writer: Record<string, string>;

beforeAll(async () => {
  if (!process.env.TEST_DATABASE_URL) return;
  database = await seededDatabase({ reports: 5000, extraOrganizations: 17, years: 5, seed: 1 });
  const idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, DATABASE_URL: database.url, MAX_FUTURE_PERIODS: 'unlimited' });
  // The benchmark's personas: an SCO RATS analyst (AMBER only through grants) reads, a UN entity writes.
  reader = { authorization: `Bearer ${await idp.sign({ sub: 'sample:sco-rats:analyst-1', org: 'sco-rats', roles: ['analyst'] })}` };
  writer = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['contributor'] })}` };
  // The first request of a process takes the reference snapshot: not part of any workload.
  await gql(api.url, '{ countries { iso3 } }', {}, reader);
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

/** Runs one operation with its statements captured, then EXPLAINs them on the same data. */
async function judged(query: string, variables: Record<string, unknown>, headers: Record<string, string>, page: number) {
  const { result, statements } = await captureStatements(() => gql(api.url, query, variables, headers));
  expect(result.errors).toBeUndefined();
  const verdicts = await explainStatements(database.url, statements, { page, largeRows: LARGE_ROWS });
  return { data: result.data!, verdicts };
}

const failures = (verdicts: Verdict[]) => verdicts.filter((v) => v.problems.length > 0).map((v) => `${v.problems.join('; ')}\n  ${v.statement.slice(0, 160)}…\n${v.plan}`);
/** The statements that read observations: a test whose operation sent none would prove nothing. */
const observationReads = (verdicts: Verdict[]) => verdicts.filter((v) => /^(select|with)\b/i.test(v.statement) && /"observations"/.test(v.statement));

describe.runIf(process.env.TEST_DATABASE_URL)("the API's statements on the benchmark's workloads pass its EXPLAIN guard", () => {
  it('W3: latestValues(countries:) reads one value per indicator × country off the index, sorting nothing', async () => {
    const list = await gql(api.url, `{ reports(first: 100) { edges { node { id countries { iso3 } indicators { code } } } } }`, {}, reader);
    const report = list.data!.reports.edges
      .map((e: { node: { id: string; countries: { iso3: string }[]; indicators: { code: string }[] } }) => e.node)
      .find((r: { countries: unknown[]; indicators: unknown[] }) => r.countries.length >= 2 && r.indicators.length >= 2);
    expect(report).toBeDefined();
    const countries = report.countries.map((c: { iso3: string }) => c.iso3);
    const { data, verdicts } = await judged(W.W3, { id: report.id, countries }, reader, 10);
    const values = data.report.indicators.flatMap((i: { latestValues: unknown[] }) => i.latestValues);
    expect(values.length).toBeGreaterThan(0);
    expect(observationReads(verdicts).length).toBeGreaterThan(0);
    expect(failures(verdicts)).toEqual([]);
  });

  it('W5: recordObservations reads only the points the alert rules look at, without sorting the series histories', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const series = await client
      .query<{ code: string; iso3: string; watch: number; min: number | null; max: number | null }>(
        // The benchmark's W5 series (bench/lib/dataset.mjs): monthly indicators × the countries each applies to.
        `select i.code, c.iso3, i.threshold_watch as watch, i.min_value as min, i.max_value as max
         from indicators i cross join countries c where i.periodicity = 'MONTHLY'
           and (exists (select 1 from indicator_countries n where n.indicator_code = i.code and n.country_iso3 = c.iso3)
             or exists (select 1 from indicator_country_groups d join country_group_members m on m.group_code = d.group_code
                        where d.indicator_code = i.code and m.country_iso3 = c.iso3))
         order by i.code, c.iso3 limit 20`,
      )
      .finally(() => client.end());
    // New values at the end of 20 series, some past the watch level: alerts are raised as well.
    const input = series.rows.map((s, k) => ({
      indicator: s.code,
      country: s.iso3,
      period: '2100-01',
      value: Math.min(s.max ?? Infinity, Math.max(s.min ?? 0, Math.round(s.watch * (k % 3 === 0 ? 1.5 : 0.5) * 10) / 10)),
      tlp: 'GREEN',
      sourceReliability: 'B',
      informationCredibility: 2,
    }));
    const { data, verdicts } = await judged(W.W5, { input, key: 'plans-w5' }, writer, 20);
    expect(data.recordObservations.observations).toHaveLength(20);
    expect(observationReads(verdicts).length).toBeGreaterThan(0);
    expect(failures(verdicts)).toEqual([]);
  });

  it('W1: the 50 latest reports', async () => {
    const { verdicts } = await judged(W.W1, { first: 50 }, reader, 50);
    expect(failures(verdicts)).toEqual([]);
  });

  it("W2: one country's last 12 values of each indicator", async () => {
    const { verdicts } = await judged(W.W2, { country: 'KAZ', n: 12 }, reader, 12);
    expect(failures(verdicts)).toEqual([]);
  });

  it('W4: 20 organizations with their 10 latest reports', async () => {
    const { verdicts } = await judged(W.W4, { orgs: 20, n: 10 }, reader, 10);
    expect(failures(verdicts)).toEqual([]);
  });

  it('reports in GRADING order, first and next page, are read off reports_grading_idx (no sort of the table)', async () => {
    const q = `query($after: String) { reports(first: 50, after: $after, orderBy: GRADING) { pageInfo { endCursor } edges { node { id title sourceReliability } } } }`;
    const first = await judged(q, {}, reader, 50);
    expect(failures(first.verdicts)).toEqual([]);
    const next = await judged(q, { after: first.data.reports.pageInfo.endCursor }, reader, 50);
    expect(failures(next.verdicts)).toEqual([]);
  });

  it('W6: full-text search with a country and a date, and the total', async () => {
    for (const variables of [
      { q: 'propaganda', country: 'KAZ', from: '2024-01-01T00:00:00.000Z', first: 20 },
      { q: 'radicalization', country: null, from: '2025-06-01T00:00:00.000Z', first: 20 },
    ]) {
      const { verdicts } = await judged(W.W6, variables, reader, 20);
      expect(failures(verdicts)).toEqual([]);
    }
  });

  it("W7: a country's overview, and the region's: newest reports per topic walk the publication index (a topic the planner sees), no statement sorts a table", async () => {
    for (const variables of [{ country: 'UZB', n: 2 }, { country: 'KAZ', n: 5 }]) {
      const { data, verdicts } = await judged(W.W7, variables, reader, variables.n);
      // The newest reports per topic: each topic's page read off the publication order, nothing sorted.
      const perTopic = verdicts.find((v) => v.statement.includes('union all'));
      expect(perTopic?.plan).toContain('reports_published_idx');
      expect(perTopic?.plan).not.toMatch(/->\s+Sort\b|^Sort\b/m);
      expect(data.overview.latestReports.some((t: { reports: unknown[] }) => t.reports.length === variables.n)).toBe(true);
      expect(failures(verdicts)).toEqual([]);
    }
    const region = await judged(W.W7.replace('overview(country: $country, reportsPerTopic: $n)', 'overview(reportsPerTopic: $n)').replace('$country: String!, ', ''), { n: 2 }, reader, 2);
    expect(failures(region.verdicts)).toEqual([]);
  });
});
