import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicators } from '../src/db/schema/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * A value is one source's figure for an indicator, country and period; its revisions may carry different
 * markings. A viewer sees the latest revision IT may see, numbered 1..n over the revisions it may see: a
 * correction it may not see neither blanks the value it may see nor shows through a revision number. Two
 * sources' figures for the same period are two values, side by side, neither revising the other.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let codes: [string, string, string];
beforeAll(async () => {
  idp = await createIdentityProvider();
  // Writes a 2030 period, clear of the sample series: forecasts allowed.
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  const monthly = (await api.app.database.db.select().from(indicators)).filter((i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER');
  codes = [monthly[0]!.code, monthly[1]!.code, monthly[2]!.code];
});
afterAll(() => api?.stop());

const token = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
const kaz = () => token('kaz-ct', ['contributor']);
const unodc = () => token('unodc', ['contributor']);

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id value revision tlp } } }`;
// A period after every sample value, so that it is also the latest value of its series.
const PERIOD = '2030-01';

async function record(code: string, value: number, tlp: string, headers: Record<string, string>) {
  const input = [{ indicator: code, country: 'KAZ', period: PERIOD, value, tlp, sourceReliability: 'B', informationCredibility: 2 }];
  const response = await gql(api.url, RECORD, { input }, headers);
  expect(response.errors).toBeUndefined();
  // A write must end strictly before the next one begins, for asOf between them.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { ...response.data!.recordObservations.observations[0], at: new Date() } as { id: string; value: number; revision: number; tlp: string; at: Date };
}

const READ = `query($code: String!, $period: Period, $asOf: DateTimeISO, $source: String!, $entities: [_Any!]!) {
  _entities(representations: $entities) {
    ... on Indicator { observations(country: "KAZ", from: $period, to: $period, asOf: $asOf, source: $source) { totalCount edges { node { id value revision } } } }
  }
  indicator(code: $code) {
    observations(country: "KAZ", from: $period, to: $period, asOf: $asOf, source: $source) { totalCount edges { node { id value revision } } }
    latestValues(countries: ["KAZ"], asOf: $asOf, source: $source) { id value revision period }
  }
  country(iso3: "KAZ") {
    observations(indicator: $code, from: $period, to: $period, asOf: $asOf, source: $source) { totalCount edges { node { id value revision } } }
    latestValues(asOf: $asOf, source: $source) { id value revision period indicator { code } }
  }
}`;

type Seen = { id: string; value: number; revision: number } | null;

/** One source's value that one viewer reads for the period on every GraphQL path (root, nested, federation) and in the export; all must agree. */
async function seenBy(headers: Record<string, string>, code: string, asOf?: Date, source = 'kaz-ct'): Promise<Seen> {
  const entities = [{ __typename: 'Indicator', code }];
  const { data, errors } = await gql(api.url, READ, { code, period: PERIOD, asOf: asOf?.toISOString() ?? null, source, entities }, headers);
  expect(errors).toBeUndefined();
  const pick = (o: { id: string; value: number; revision: number }) => ({ id: o.id, value: o.value, revision: o.revision });
  const byIndicator = data!.indicator.observations;
  const byCountry = data!.country.observations;
  expect(byIndicator.totalCount).toBe(byIndicator.edges.length);
  expect(byCountry.totalCount).toBe(byCountry.edges.length);
  const paths: Seen[][] = [
    byIndicator.edges.map((e: { node: Seen }) => pick(e.node!)),
    // The federation entry point: the gateway's path to the same list.
    data!._entities[0].observations.edges.map((e: { node: Seen }) => pick(e.node!)),
    byCountry.edges.map((e: { node: Seen }) => pick(e.node!)),
    data!.indicator.latestValues.filter((o: { period: string }) => o.period === PERIOD).map(pick),
    data!.country.latestValues.filter((o: { period: string; indicator: { code: string } }) => o.period === PERIOD && o.indicator.code === code).map(pick),
  ];
  const query = new URLSearchParams({ indicator: code, country: 'KAZ', from: PERIOD, to: PERIOD, source, ...(asOf ? { asOf: asOf.toISOString() } : {}) });
  const exported = await fetch(`${api.url}/export/observations.ndjson?${query}`, { headers });
  expect(exported.status).toBe(200);
  paths.push(
    (await exported.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => pick(JSON.parse(line))),
  );
  for (const seen of paths) expect(seen.length).toBeLessThanOrEqual(1);
  const [first, ...rest] = paths.map((seen) => seen[0] ?? null);
  for (const other of rest) expect(other).toEqual(first);
  return first!;
}

const sco = () => token('sco-rats', ['analyst']);
const sanctions = () => token('sc-1267', ['analyst']);

describe('a hidden correction does not erase a visible value', () => {
  it("kaz-ct's GREEN value stays everyone else's answer after kaz-ct records a RED revision of it; kaz-ct sees its own, as revision 2", async () => {
    const code = codes[0];
    const green = await record(code, 1, 'GREEN', await kaz());
    const red = await record(code, 2, 'RED', await kaz());
    expect(red.revision).toBe(2);
    for (const asOf of [undefined, green.at, red.at]) {
      expect(await seenBy(await sco(), code, asOf)).toEqual({ id: green.id, value: 1, revision: 1 });
      expect(await seenBy(await unodc(), code, asOf)).toEqual({ id: green.id, value: 1, revision: 1 });
    }
    expect(await seenBy(await kaz(), code)).toEqual({ id: red.id, value: 2, revision: 2 });
    expect(await seenBy(await kaz(), code, green.at)).toEqual({ id: green.id, value: 1, revision: 1 });
  });

  it('a value recorded over a hidden one is revision 1 to whoever cannot see the hidden one, and absent before it (issue 15: sc-1267)', async () => {
    const code = codes[1];
    const red = await record(code, 2, 'RED', await kaz());
    const green = await record(code, 1, 'GREEN', await kaz());
    expect(green.revision).toBe(2);
    for (const viewer of [sanctions, sco, unodc]) {
      expect(await seenBy(await viewer(), code)).toEqual({ id: green.id, value: 1, revision: 1 });
      expect(await seenBy(await viewer(), code, red.at)).toBeNull();
    }
    expect(await seenBy(await kaz(), code)).toEqual({ id: green.id, value: 1, revision: 2 });
    expect(await seenBy(await kaz(), code, red.at)).toEqual({ id: red.id, value: 2, revision: 1 });
  });
});

describe('one value per source: another source never supersedes a value (issue 15)', () => {
  it("UNODC's figure for a period stands beside kaz-ct's; each is revision 1 of its own value, each reader sees what it may", async () => {
    const code = codes[2];
    const own = await record(code, 1, 'GREEN', await kaz());
    const other = await record(code, 2, 'AMBER', await unodc());
    expect(other.revision).toBe(1);
    // kaz-ct's own figure is still in force for everyone, on every path.
    for (const viewer of [kaz, unodc, sco]) expect(await seenBy(await viewer(), code)).toEqual({ id: own.id, value: 1, revision: 1 });
    // UNODC's AMBER figure: its own organization sees it; kaz-ct (no grant) does not.
    expect(await seenBy(await unodc(), code, undefined, 'unodc')).toEqual({ id: other.id, value: 2, revision: 1 });
    expect(await seenBy(await kaz(), code, undefined, 'unodc')).toBeNull();

    const BY_SOURCE = `query($code: String!, $period: Period) { indicator(code: $code) {
      observations(country: "KAZ", from: $period, to: $period) { totalCount edges { node { id source { id } bySource { id value source { id } } } } } } }`;
    const sidesOf = async (headers: Record<string, string>) => {
      const { data, errors } = await gql(api.url, BY_SOURCE, { code, period: PERIOD }, headers);
      expect(errors).toBeUndefined();
      return data!.indicator.observations;
    };
    const forUnodc = await sidesOf(await unodc());
    expect(forUnodc.totalCount).toBe(2);
    for (const edge of forUnodc.edges) {
      expect(edge.node.bySource).toEqual([
        { id: own.id, value: 1, source: { id: 'kaz-ct' } },
        { id: other.id, value: 2, source: { id: 'unodc' } },
      ]);
    }
    const forKaz = await sidesOf(await kaz());
    expect(forKaz.totalCount).toBe(1);
    expect(forKaz.edges[0].node.bySource).toEqual([{ id: own.id, value: 1, source: { id: 'kaz-ct' } }]);

    // A correction by UNODC revises UNODC's figure only.
    const corrected = await record(code, 3, 'GREEN', await unodc());
    expect(corrected.revision).toBe(2);
    expect(await seenBy(await kaz(), code)).toEqual({ id: own.id, value: 1, revision: 1 });
    expect(await seenBy(await kaz(), code, undefined, 'unodc')).toEqual({ id: corrected.id, value: 3, revision: 1 });
  });
});
