import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicators } from '../src/db/schema/indicators.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { observationValueOracle, reportOracle, type SeenValue } from './support/oracle.js';
import { createIdentityProvider, headersFor, PERSONAS, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
let oracle: Awaited<ReturnType<typeof reportOracle>>;
beforeAll(async () => {
  idp = await createIdentityProvider();
  // The revision leak test writes 2031 periods, clear of the sample series: forecasts allowed.
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  oracle = await reportOracle(api.app.database.db);
});
afterAll(() => api?.stop());

/** Every report id anywhere in a response, however deeply nested. */
function reportIdsIn(data: unknown): string[] {
  const ids: string[] = [];
  JSON.stringify(data, (key, value) => {
    if (value && typeof value === 'object' && typeof value.id === 'string' && /^[0-9a-f-]{36}$/.test(value.id)) ids.push(value.id);
    return value;
  });
  return ids;
}

async function hiddenReport(tlp: 'RED' | 'AMBER_STRICT') {
  const [row] = await api.app.database.db
    .select({ id: reports.id, titleEn: reports.titleEn })
    .from(reports)
    .where(and(eq(reports.tlp, tlp), sql`${reports.titleEn} is not null`, sql`${reports.authorOrgId} <> 'sco-rats'`))
    .limit(1);
  return row!;
}

describe('leak through nesting: country → reports → author → reports', () => {
  const DEEP = `{ countries { reports(first: 20) { edges { node { id tlp author { reports(first: 10) { edges { node { id tlp
    countries { iso3 } } } } } } } } } }`;

  it('anonymous callers get TLP:CLEAR reports at every depth', async () => {
    const { data, errors } = await gql(api.url, DEEP);
    expect(errors).toBeUndefined();
    const ids = reportIdsIn(data);
    expect(ids.length).toBeGreaterThan(100);
    const visible = oracle('anonymous');
    expect(ids.filter((id) => !visible.has(id))).toEqual([]);
  });

  it('a regional body gets only the reports the sharing rule gives it, at every depth', async () => {
    const { data } = await gql(api.url, DEEP, {}, await headersFor(idp, 'scoRats'));
    const ids = reportIdsIn(data);
    const visible = oracle('scoRats');
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.filter((id) => !visible.has(id))).toEqual([]);
  });
});

describe('leak through aliases and fragments', () => {
  it('every alias of a restricted field is refused', async () => {
    const [report] = await api.app.database.db.select({ id: reports.id }).from(reports).where(eq(reports.tlp, 'CLEAR')).limit(1);
    const { data, errors } = await gql(api.url, 'query($id: UUID!) { report(id: $id) { a: sourceDescription b: sourceDescription c: sanctionsReferences } }', { id: report!.id });
    expect(data!.report).toEqual({ a: null, b: null, c: null });
    expect(errors!.map((e) => [e.path!.join('.'), e.extensions!.code]).sort()).toEqual([
      ['report.a', 'FORBIDDEN'],
      ['report.b', 'FORBIDDEN'],
      ['report.c', 'FORBIDDEN'],
    ]);
  });

  it('named and inline fragments are refused alike', async () => {
    const { data, errors } = await gql(
      api.url,
      `query { reports(first: 2) { edges { node { ...Secret ... on Report { inline: sourceDescription } } } } organizations(first: 1) { edges { node { ... on Organization { focalPoint { email } } } } } }
       fragment Secret on Report { sanctionsReferences sourceReliability }`,
    );
    for (const edge of data!.reports.edges) expect(edge.node).toEqual({ sanctionsReferences: null, sourceReliability: null, inline: null });
    expect(data!.organizations.edges[0].node.focalPoint).toBeNull();
    expect(errors!.length).toBe(2 * 3 + 1);
    expect(errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
    expect(JSON.stringify(errors)).not.toMatch(/@example\.org|QDi\.|TAi\./);
  });
});

describe('leak through counts, filters and search', () => {
  it('filtering on a marking one may not see counts nothing', async () => {
    for (const tlp of ['GREEN', 'AMBER', 'AMBER_STRICT', 'RED']) {
      const { data } = await gql(api.url, `{ reports(filter: { tlp: ${tlp} }) { totalCount edges { node { id } } } }`);
      expect(data!.reports).toEqual({ totalCount: 0, edges: [] });
    }
  });

  it('searching for the exact title of a hidden report finds nothing hidden', async () => {
    const red = await hiddenReport('RED');
    const { data } = await gql(api.url, 'query($s: String) { reports(first: 100, filter: { search: $s }) { totalCount edges { node { id } } } }', { s: red.titleEn!.replace('[Sample] ', '') }, await headersFor(idp, 'scoRats'));
    const ids = reportIdsIn(data);
    expect(ids).not.toContain(red.id);
    const visible = oracle('scoRats');
    expect(ids.every((id) => visible.has(id))).toBe(true);
  });

  it("a country's and an organization's nested totalCount count only visible reports", async () => {
    const { data } = await gql(api.url, '{ country(iso3: "TJK") { reports { totalCount } } organization(id: "unodc") { reports { totalCount } } }');
    const clearOf = async (where: ReturnType<typeof sql>) => {
      const [row] = await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(reports).where(and(eq(reports.tlp, 'CLEAR'), where));
      return row!.n;
    };
    expect(data!.country.reports.totalCount).toBe(await clearOf(sql`exists (select 1 from report_countries rc where rc.report_id = ${reports.id} and rc.country_iso3 = 'TJK')`));
    expect(data!.organization.reports.totalCount).toBe(await clearOf(sql`${reports.authorOrgId} = 'unodc'`));
  });
});

describe('leak through by-id guesses', () => {
  it('a hidden report and a missing one look the same', async () => {
    const red = await hiddenReport('RED');
    const q = 'query($id: UUID!) { report(id: $id) { id title } }';
    const hidden = await gql(api.url, q, { id: red.id }, await headersFor(idp, 'scoRats'));
    const missing = await gql(api.url, q, { id: '00000000-0000-4000-8000-000000000001' }, await headersFor(idp, 'scoRats'));
    expect(hidden).toMatchObject({ status: 200, data: { report: null } });
    expect(hidden.errors).toBeUndefined();
    expect({ data: hidden.data, errors: hidden.errors }).toEqual({ data: missing.data, errors: missing.errors });
  });
});

describe('leak through error messages and suggestions (production)', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ ...idp.env, NODE_ENV: 'production' });
  });
  afterAll(() => prod?.stop());

  it('no "did you mean" suggestion names a field or type', async () => {
    const response = await gql(prod.url, '{ reports { edges { node { sourceDescriptio sanctionsRef } } } }');
    expect(response.errors!.length).toBeGreaterThan(0);
    expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|sourceDescription|sanctionsReferences/);
  });

  it('no statement count header in production', async () => {
    const response = await gql(prod.url, '{ countries { iso3 } }');
    expect(response.headers.get('x-sql-statements')).toBeNull();
  });
});

describe('leak through revisions: a correction one may not see casts no shadow', () => {
  // Periods after every sample value, so each is also the latest value of its series.
  const PERIODS = ['2031-01', '2031-02', '2031-03', '2031-04'];
  const personas = Object.keys(PERSONAS) as PersonaName[];
  let codes: string[];
  let between: Date;
  let values: Awaited<ReturnType<typeof observationValueOracle>>;

  const as = async (org: string, sub: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub, org, roles })}` });
  async function record(code: string, period: string, tlp: string, headers: Record<string, string>) {
    const input = [{ indicator: code, country: 'KAZ', period, value: 1 + PERIODS.indexOf(period), tlp, sourceReliability: 'B', informationCredibility: 2 }];
    const response = await gql(api.url, 'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }', { input }, headers);
    expect(response.errors).toBeUndefined();
    return response.data!.recordObservations.observations[0].id as string;
  }

  beforeAll(async () => {
    const monthly = (await api.app.database.db.select().from(indicators)).filter((i) => i.periodicity === 'MONTHLY');
    codes = monthly.slice(0, 2).map((i) => i.code);
    const kaz = await as('kaz-ct', 'sample:kaz-ct:analyst-1', ['contributor']);
    // CLEAR is a public release: the org-admin's decision.
    const unodc = await as('unodc', 'sample:unodc:analyst-1', ['contributor', 'org-admin']);
    // Revisions of one source's value under different markings, in both orders, beside another source's
    // value for the same period (a value is one source's figure: two sources never revise each other).
    const plans: [string, Record<string, string>][][] = [
      [['GREEN', kaz], ['RED', kaz], ['AMBER', unodc]],
      [['RED', unodc], ['GREEN', unodc], ['GREEN', kaz]],
      [['AMBER', kaz], ['AMBER_STRICT', unodc], ['RED', kaz]],
      [['GREEN', unodc], ['AMBER_STRICT', kaz], ['CLEAR', unodc]],
    ];
    let shared: string | undefined;
    for (const step of [0, 1, 2]) {
      for (const code of codes) {
        for (const [i, plan] of plans.entries()) {
          const [tlp, headers] = plan[step] ?? [];
          if (!tlp || !headers) continue;
          const id = await record(code, PERIODS[i]!, tlp, headers);
          if (tlp === 'RED' && headers === unodc) shared ??= id;
        }
      }
      if (step === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        between = new Date();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    // A RED revision shared with a person of another organization (its author shares it).
    const share = { observationId: shared, person: 'sample:sco-rats:analyst-1', organizationId: 'sco-rats', purpose: 'Need to know' };
    const granted = await gql(api.url, 'mutation($input: ShareObservationInput!) { shareObservation(input: $input) { id } }', { input: share }, await as('unodc', 'sample:unodc:analyst-1', ['org-admin']));
    expect(granted.errors).toBeUndefined();
    values = await observationValueOracle(api.app.database.db);
  });

  const kazOnly = (seen: Map<string, SeenValue>) => new Map([...seen].filter(([key]) => key.split('|')[1] === 'KAZ'));
  const byId = (list: SeenValue[]) => new Map(list.map((v) => [v.id, v.revision]));

  it('the export of a country: exactly the revision each persona may see of every value, numbered as it counts', async () => {
    for (const persona of personas) {
      const response = await fetch(`${api.url}/export/observations.ndjson?country=KAZ`, { headers: await headersFor(idp, persona) });
      expect(response.status, persona).toBe(200);
      const rows = (await response.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as SeenValue);
      expect(byId(rows), persona).toEqual(byId([...kazOnly(values(persona)).values()]));
    }
  });

  it('nested lists (now and asOf) and latest values agree with the oracle for every persona', async () => {
    const lists = (code: string, i: number) => `i${i}: indicator(code: "${code}") {
        now: observations(country: "KAZ", from: "2031-01", to: "2031-04", first: 10) { totalCount edges { node { id revision } } }
        then: observations(country: "KAZ", from: "2031-01", to: "2031-04", first: 10, asOf: $asOf) { totalCount edges { node { id revision } } }
      }`;
    const q = `query($asOf: DateTimeISO) {
      ${codes.map(lists).join('\n')}
      country(iso3: "KAZ") { latestValues { id revision period indicator { code } } }
    }`;
    const inPlan = (seen: Map<string, SeenValue>) => byId([...seen].filter(([key]) => key.split('|')[1] === 'KAZ' && key.split('|')[2]! >= '2031-01-01').map(([, v]) => v));
    for (const persona of personas) {
      const { data, errors } = await gql(api.url, q, { asOf: between.toISOString() }, await headersFor(idp, persona));
      expect(errors, persona).toBeUndefined();
      type List = { totalCount: number; edges: { node: SeenValue }[] };
      const listed = (which: 'now' | 'then') => {
        const pages: List[] = codes.map((_, i) => data![`i${i}`][which]);
        for (const page of pages) expect(page.totalCount).toBe(page.edges.length);
        return byId(pages.flatMap((page) => page.edges.map((e) => e.node)));
      };
      expect(listed('now'), persona).toEqual(inPlan(values(persona)));
      expect(listed('then'), persona).toEqual(inPlan(values(persona, between)));
      // Latest values in the planned periods: the newest period each persona may see, per indicator, and of
      // that period's sources the value recorded last.
      const latest = data!.country.latestValues.filter((v: { period: string }) => v.period >= '2031-01');
      const newestFirst = ([a, va]: [string, SeenValue], [b, vb]: [string, SeenValue]) =>
        a.split('|')[2]! !== b.split('|')[2]! ? (a.split('|')[2]! < b.split('|')[2]! ? 1 : -1) : vb.recordedAt.getTime() - va.recordedAt.getTime();
      const expected = codes.flatMap((code) => {
        const mine = [...kazOnly(values(persona))].filter(([key]) => key.startsWith(`${code}|`)).sort(newestFirst);
        const [key, value] = mine[0] ?? [];
        return key && key.split('|')[2]! >= '2031-01-01' ? [value!] : [];
      });
      expect(byId(latest), persona).toEqual(byId(expected));
    }
  });
});
