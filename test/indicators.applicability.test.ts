import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, indicatorCountries, observations } from '../src/db/schema/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Indicators apply to the countries they are about (issue 15: "incidents near the Afghan northern border"
 * had a Kazakhstan series). An indicator names countries and country groups (roles such as the states
 * bordering Afghanistan); a value outside is refused, and the series views hold no series outside.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const as = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id country { iso3 } indicator { code } } } }`;
const row = (indicator: string, country: string, period = '2026-11', value = 3) => ({
  indicator, country, period, value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2,
});

async function valuesOf(indicator: string, country: string): Promise<number> {
  const [r] = await api.app.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(observations)
    .where(and(eq(observations.indicatorCode, indicator), eq(observations.countryIso3, country)));
  return r!.n;
}

describe('Indicator.appliesTo', () => {
  it('gives the countries an indicator applies to, and the country groups it is declared for', async () => {
    const { data, errors } = await gql(api.url, `{
      border: indicator(code: "AFG-01") { appliesTo { iso3 } appliesToGroups { code name ru: name(lang: RU) countries { iso3 } } }
      incidents: indicator(code: "VE-01") { appliesTo { iso3 } appliesToGroups { code } }
      militants: indicator(code: "AFG-02") { appliesTo { iso3 name } appliesToGroups { code } }
    }`);
    expect(errors).toBeUndefined();
    const codes = (countries: { iso3: string }[]) => countries.map((c) => c.iso3);
    expect(codes(data!.border.appliesTo)).toEqual(['TJK', 'TKM', 'UZB']);
    expect(data!.border.appliesToGroups).toEqual([
      { code: 'AFGHANISTAN_NEIGHBOURS', name: 'states bordering Afghanistan', ru: 'государства, граничащие с Афганистаном', countries: [{ iso3: 'TJK' }, { iso3: 'TKM' }, { iso3: 'UZB' }] },
    ]);
    expect(codes(data!.incidents.appliesTo)).toEqual(['AFG', 'KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']);
    expect(data!.incidents.appliesToGroups).toEqual([{ code: 'CENTRAL_ASIA' }]);
    expect(data!.militants).toEqual({ appliesTo: [{ iso3: 'AFG', name: 'Afghanistan' }], appliesToGroups: [] });
  });
});

describe('writing a value', () => {
  it('for a country the indicator does not apply to is refused, naming the row and field; nothing of the batch is written', async () => {
    const unodc = await as('unodc', ['contributor']);
    const before = { tjk: await valuesOf('AFG-01', 'TJK'), kaz: await valuesOf('AFG-01', 'KAZ'), op: await valuesOf('OP-01', 'KGZ') };
    const input = [row('AFG-01', 'TJK'), row('OP-01', 'KGZ'), row('VE-01', 'AFG'), row('AFG-01', 'KAZ'), row('OP-01', 'AFG')];
    const response = await gql(api.url, RECORD, { input }, unodc);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[3].country' });
    expect(response.errors?.[0]?.message).toBe(
      '2 invalid value(s), nothing was written: ' +
        'input[3].country: AFG-01 does not apply to KAZ (it applies to TJK, TKM, UZB: states bordering Afghanistan); ' +
        'input[4].country: OP-01 does not apply to AFG (it applies to KAZ, KGZ, TJK, TKM, UZB: Central Asian states)',
    );
    expect({ tjk: await valuesOf('AFG-01', 'TJK'), kaz: await valuesOf('AFG-01', 'KAZ'), op: await valuesOf('OP-01', 'KGZ') }).toEqual(before);
  });

  it('for a country it applies to is accepted, directly named or through a group', async () => {
    const unodc = await as('unodc', ['contributor']);
    const response = await gql(api.url, RECORD, { input: [row('AFG-01', 'TJK', '2026-11'), row('VE-01', 'AFG', '2026-11'), row('AFG-02', 'AFG', '2026-Q3', 1200)] }, unodc);
    expect(response.errors).toBeUndefined();
    expect(response.data!.recordObservations.observations.map((o: { indicator: { code: string }; country: { iso3: string } }) => `${o.indicator.code}/${o.country.iso3}`)).toEqual([
      'AFG-01/TJK',
      'VE-01/AFG',
      'AFG-02/AFG',
    ]);
  });
});

describe('series views', () => {
  // A value recorded for AFG-01 in Kazakhstan before indicators declared where they apply (migration 0013
  // keeps such values), written here past the validator, with an alert on it: the newest value of its pair.
  let legacyId: string;
  beforeAll(async () => {
    const db = api.app.database.db;
    const [legacy] = await db
      .insert(observations)
      .values({ indicatorCode: 'AFG-01', countryIso3: 'KAZ', periodStart: '2026-11-01', value: 99, sourceOrgId: 'unodc', recordedBySub: 'sample:unodc:analyst-1', tlp: 'CLEAR', sourceReliability: 'B', informationCredibility: 2 })
      .returning({ id: observations.id });
    legacyId = legacy!.id;
    await db.insert(alerts).values({ indicatorCode: 'AFG-01', countryIso3: 'KAZ', periodStart: '2026-11-01', sourceOrgId: 'unodc', level: 'CRITICAL', rule: 'THRESHOLD', value: 99, threshold: 60, tlp: 'CLEAR', observationIds: [legacyId], knownAt: new Date() });
  });

  const READS = `{
    kaz: country(iso3: "KAZ") {
      latestValues { indicator { code } }
      observations(indicator: "AFG-01", first: 5) { totalCount edges { node { id } } }
      all: observations(first: 100) { edges { node { indicator { code } } } }
    }
    border: indicator(code: "AFG-01") {
      latestValues { country { iso3 } }
      kaz: observations(country: "KAZ", first: 5) { totalCount edges { node { id } } }
      all: observations(first: 100) { edges { node { country { iso3 } } } }
    }
    alerts(filter: { indicator: "AFG-01" }, first: 100) { edges { node { country { iso3 } } } }
  }`;

  it('hold no series of a pair the indicator does not apply to, though values were once recorded for it', async () => {
    const { data, errors } = await gql(api.url, READS);
    expect(errors).toBeUndefined();
    expect(data!.kaz.latestValues.length).toBeGreaterThan(20);
    expect(data!.kaz.latestValues.map((v: { indicator: { code: string } }) => v.indicator.code)).not.toContain('AFG-01');
    expect(data!.kaz.observations).toEqual({ totalCount: 0, edges: [] });
    expect(data!.kaz.all.edges.length).toBe(100);
    expect(data!.kaz.all.edges.map((e: { node: { indicator: { code: string } } }) => e.node.indicator.code)).not.toContain('AFG-01');
    expect(data!.border.latestValues.map((v: { country: { iso3: string } }) => v.country.iso3)).toEqual(['TJK', 'TKM', 'UZB']);
    expect(data!.border.kaz).toEqual({ totalCount: 0, edges: [] });
    expect(new Set(data!.border.all.edges.map((e: { node: { country: { iso3: string } } }) => e.node.country.iso3))).toEqual(new Set(['TJK', 'TKM', 'UZB']));
    expect(data!.alerts.edges.length).toBeGreaterThan(0);
    expect(data!.alerts.edges.map((e: { node: { country: { iso3: string } } }) => e.node.country.iso3)).not.toContain('KAZ');
  });

  it('on the SQL path too: indicators with one country\'s values give AFG-01 no Kazakhstan value', async () => {
    const { data, errors } = await gql(api.url, '{ indicators { code observations(country: "KAZ", first: 1) { edges { node { id value } } } } }');
    expect(errors).toBeUndefined();
    const byCode = new Map(data!.indicators.map((i: { code: string; observations: { edges: unknown[] } }) => [i.code, i.observations.edges]));
    expect(byCode.get('AFG-01')).toEqual([]);
    expect(byCode.get('OP-01')).toHaveLength(1);
  });

  it('the export still gives the value (the archive of what the viewer may see), and declaring the pair brings it back into the lists', async () => {
    const exported = await (await fetch(`${api.url}/export/observations.ndjson?indicator=AFG-01&country=KAZ`)).text();
    expect(exported.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([legacyId]);
    await api.app.database.db.insert(indicatorCountries).values({ indicatorCode: 'AFG-01', countryIso3: 'KAZ' });
    try {
      const { data } = await gql(api.url, READS);
      expect(data!.kaz.observations.edges).toEqual([{ node: { id: legacyId } }]);
      expect(data!.border.latestValues.map((v: { country: { iso3: string } }) => v.country.iso3)).toEqual(['KAZ', 'TJK', 'TKM', 'UZB']);
    } finally {
      await api.app.database.db.delete(indicatorCountries).where(and(eq(indicatorCountries.indicatorCode, 'AFG-01'), eq(indicatorCountries.countryIso3, 'KAZ')));
    }
  });
});
