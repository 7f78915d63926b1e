import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Provenance of a value and "not for you" versus "not reported" (issue 15). A value says who recorded it
 * (its organization and auditors only), how settled it is, and the report it rests on (a link only for
 * those who may see that report). Lists say which periods hold values the reader may not see, and latest
 * values whether a later one exists — only for indicators whose owner discloses it; for the others
 * nothing is said.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
});
afterAll(() => api?.stop());

const WRITER = 'sample:kaz-ct:analyst-1';
const as = async (org: string, roles = ['contributor', 'analyst'], sub = `sample:${org}:analyst-1`) => ({
  authorization: `Bearer ${await idp.sign({ sub, org, roles })}`,
});
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`;
const DISCLOSING = 'OP-01'; // the sample's indicator whose owner discloses withheld values
const SILENT = 'OP-03';

async function ok<T = Record<string, any>>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
  const r = await gql<T>(api.url, query, variables, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function record(indicator: string, period: string, tlp: string, extra: Record<string, unknown> = {}) {
  const input = [{ indicator, country: 'KAZ', period, value: 10, tlp, sourceReliability: 'B', informationCredibility: 2, ...extra }];
  return (await ok<{ recordObservations: { observations: { id: string }[] } }>(RECORD, { input }, await as('kaz-ct', ['contributor'], WRITER))).recordObservations
    .observations[0]!.id;
}

describe('provenance of a value', () => {
  let strictReport: string;
  let id: string;
  beforeAll(async () => {
    const created = await ok<{ createReport: { id: string } }>(`mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, { input: reportDraft({ tlp: 'AMBER_STRICT' }) }, await as('kaz-ct', ['contributor'], WRITER));
    strictReport = created.createReport.id;
    id = await record('RR-01', '2038-05', 'GREEN', { status: 'PROVISIONAL', sourceReport: strictReport });
  });
  const READ = `{ indicator(code: "RR-01") { observations(country: "KAZ", from: "2038-05", to: "2038-05") { edges { node { id status sourceReport { id } } } } } }`;
  const node = (data: Record<string, any>) => data.indicator.observations.edges[0].node;

  it('status and source document: the writer sees both; a reader who may not see the report sees no link', async () => {
    expect(node(await ok(READ, {}, await as('kaz-ct', ['analyst'])))).toEqual({ id, status: 'PROVISIONAL', sourceReport: { id: strictReport } });
    expect(node(await ok(READ, {}, await as('uzb-ct')))).toEqual({ id, status: 'PROVISIONAL', sourceReport: null });
  });

  it('a value without a status is FINAL', async () => {
    await record('RR-01', '2038-06', 'GREEN');
    const data = await ok(`{ indicator(code: "RR-01") { observations(country: "KAZ", from: "2038-06", to: "2038-06") { edges { node { status sourceReport { id } } } } } }`, {}, await as('uzb-ct'));
    expect(data.indicator.observations.edges[0].node).toEqual({ status: 'FINAL', sourceReport: null });
  });

  it('who recorded it: the originating organization and auditors; others are refused the field', async () => {
    const q = `{ indicator(code: "RR-01") { observations(country: "KAZ", from: "2038-05", to: "2038-05") { edges { node { recordedBy } } } } }`;
    expect((await ok(q, {}, await as('kaz-ct', ['analyst'], 'sample:kaz-ct:other-7'))).indicator.observations.edges[0].node.recordedBy).toBe(WRITER);
    expect((await ok(q, {}, await as('csto', ['auditor']))).indicator.observations.edges[0].node.recordedBy).toBe(WRITER);
    const other = await gql(api.url, q, {}, await as('uzb-ct'));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(other.data)).not.toContain(WRITER);
  });

  it('a source report the writer may not see, or none, is refused alike, naming the row; nothing is written', async () => {
    const hidden = (await ok<{ createReport: { id: string } }>(`mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, { input: reportDraft({ tlp: 'AMBER_STRICT', countries: ['UZB'] }) }, await as('uzb-ct', ['contributor']))).createReport.id;
    for (const sourceReport of [hidden, '00000000-0000-4000-8000-000000000000']) {
      const input = [{ indicator: 'RR-01', country: 'KAZ', period: '2038-07', value: 3, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2, sourceReport }];
      const r = await gql(api.url, RECORD, { input }, await as('kaz-ct', ['contributor'], WRITER));
      expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input[0].sourceReport' } });
      expect(r.errors?.[0]?.message).toContain('no report with this id that you may see');
    }
    const data = await ok(`{ indicator(code: "RR-01") { observations(country: "KAZ", from: "2038-07", to: "2038-07") { totalCount } } }`, {}, await as('kaz-ct', ['analyst']));
    expect(data.indicator.observations.totalCount).toBe(0);
  });
});

describe('withheld: "not for you" rather than "not reported", where the owner discloses it', () => {
  beforeAll(async () => {
    for (const code of [DISCLOSING, SILENT]) {
      await record(code, '2039-01', 'GREEN');
      await record(code, '2039-02', 'AMBER_STRICT');
      await record(code, '2039-03', 'GREEN');
    }
  });
  const LIST = `query($code: String!) { indicator(code: $code) { observations(country: "KAZ", from: "2039-01", to: "2039-12") {
    edges { node { period } } withheld { period indicator { code } country { iso3 } } } } }`;
  const LATEST = `query($code: String!) { indicator(code: $code) { latestValues(countries: ["KAZ"]) { period newerWithheld } } }`;

  it("an indicator that discloses: the reader sees which period holds a value it may not see; the writer, nothing withheld", async () => {
    const seen = await ok(LIST, { code: DISCLOSING }, await as('uzb-ct'));
    expect(seen.indicator.observations.edges.map((e: { node: { period: string } }) => e.node.period)).toEqual(['2039-03', '2039-01']);
    expect(seen.indicator.observations.withheld).toEqual([{ period: '2039-02', indicator: { code: DISCLOSING }, country: { iso3: 'KAZ' } }]);
    expect((await ok(LIST, { code: DISCLOSING }, await as('kaz-ct', ['analyst']))).indicator.observations.withheld).toEqual([]);
  });

  it('an indicator that does not: nothing is said (the safe default)', async () => {
    const seen = await ok(LIST, { code: SILENT }, await as('uzb-ct'));
    expect(seen.indicator.observations.edges).toHaveLength(2);
    expect(seen.indicator.observations.withheld).toEqual([]);
  });

  it("a country's list says it only for the indicators that disclose", async () => {
    const data = await ok(`{ country(iso3: "KAZ") { observations(from: "2039-01", to: "2039-12") { withheld { period indicator { code } } } } }`, {}, await as('uzb-ct'));
    expect(data.country.observations.withheld).toEqual([{ period: '2039-02', indicator: { code: DISCLOSING } }]);
  });

  it('latestValues flags a later period, or a later revision, the reader may not see; null where the owner does not disclose', async () => {
    const latest = async (code: string, org: string) => (await ok(LATEST, { code }, await as(org))).indicator.latestValues;
    expect(await latest(DISCLOSING, 'uzb-ct')).toEqual([{ period: '2039-03', newerWithheld: false }]);
    await record(DISCLOSING, '2039-04', 'AMBER_STRICT');
    await record(SILENT, '2039-04', 'AMBER_STRICT');
    expect(await latest(DISCLOSING, 'uzb-ct')).toEqual([{ period: '2039-03', newerWithheld: true }]);
    expect(await latest(SILENT, 'uzb-ct')).toEqual([{ period: '2039-03', newerWithheld: null }]);
    expect(await latest(DISCLOSING, 'kaz-ct')).toEqual([{ period: '2039-04', newerWithheld: false }]);
    // A hidden correction of the value the reader sees.
    await record('OP-02', '2039-01', 'GREEN');
    await ok(`mutation { setIndicatorDisclosure(indicator: "OP-02", disclosesWithheld: true, reason: "test") { code } }`, {}, await as('unrcca', ['network-admin']));
    expect(await latest('OP-02', 'uzb-ct')).toEqual([{ period: '2039-01', newerWithheld: false }]);
    await record('OP-02', '2039-01', 'AMBER_STRICT');
    expect(await latest('OP-02', 'uzb-ct')).toEqual([{ period: '2039-01', newerWithheld: true }]);
  });

  it('network-admin sets the option, with a reason in the audit; others are refused; off, nothing is said again', async () => {
    const SET = `mutation($on: Boolean!) { setIndicatorDisclosure(indicator: "${DISCLOSING}", disclosesWithheld: $on, reason: "Owner withdrew the disclosure") { code disclosesWithheld } }`;
    const refused = await gql(api.url, SET, { on: false }, await as('kaz-ct', ['contributor', 'org-admin']));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ok(SET, { on: false }, await as('unrcca', ['network-admin']))).setIndicatorDisclosure).toEqual({ code: DISCLOSING, disclosesWithheld: false });
    expect((await ok(LIST, { code: DISCLOSING }, await as('uzb-ct'))).indicator.observations.withheld).toEqual([]);
    expect((await ok(LATEST, { code: DISCLOSING }, await as('uzb-ct'))).indicator.latestValues[0].newerWithheld).toBeNull();
    const audit = await ok(`{ auditEvents(first: 5, filter: { kind: "WRITE" }) { edges { node { action reason } } } }`, {}, await as('csto', ['auditor']));
    expect(audit.auditEvents.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ action: 'setIndicatorDisclosure', reason: `${DISCLOSING}: do not disclose withheld values. Owner withdrew the disclosure` });
  });
});
