import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

describe('countries', () => {
  it('lists the six countries of the network with their roles', async () => {
    const { data, errors } = await gql(api.url, '{ countries { iso3 iso2 role name } }');
    expect(errors).toBeUndefined();
    expect(data!.countries.map((c: { iso3: string }) => c.iso3)).toEqual(['AFG', 'KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']);
    expect(data!.countries[0]).toEqual({ iso3: 'AFG', iso2: 'AF', role: 'COUNTRY_OF_CONCERN', name: 'Afghanistan' });
  });

  it('names in the language asked for: argument, then Accept-Language, then English', async () => {
    const q = '{ country(iso3: "KGZ") { en: name(lang: EN) ru: name(lang: RU) plain: name } }';
    const english = await gql(api.url, q);
    expect(english.data!.country).toEqual({ en: 'Kyrgyzstan', ru: 'Кыргызстан', plain: 'Kyrgyzstan' });
    const russian = await gql(api.url, q, {}, { 'accept-language': 'ru-RU,ru;q=0.9' });
    expect(russian.data!.country.plain).toBe('Кыргызстан');
    expect(russian.data!.country.en).toBe('Kyrgyzstan');
  });

  it('returns null for a country the network does not follow', async () => {
    const { data, errors } = await gql(api.url, '{ country(iso3: "FRA") { iso3 } }');
    expect(errors).toBeUndefined();
    expect(data!.country).toBeNull();
  });

  it("gives a country's latest indicator values, one per indicator, with their level", async () => {
    const { data, errors } = await gql(api.url, '{ country(iso3: "TJK") { latestValues { period value level indicator { code } country { iso3 } } } }');
    expect(errors).toBeUndefined();
    const values = data!.country.latestValues as { period: string; indicator: { code: string }; country: { iso3: string } }[];
    expect(values.length).toBeGreaterThan(5);
    expect(new Set(values.map((v) => v.indicator.code)).size).toBe(values.length);
    expect(values.every((v) => v.country.iso3 === 'TJK')).toBe(true);
  });
});

describe('organizations', () => {
  it('pages through organizations with cursors and totalCount', async () => {
    const q = 'query($after: String) { organizations(first: 5, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
    const first = await gql(api.url, q);
    const conn = first.data!.organizations;
    expect(conn.edges).toHaveLength(5);
    expect(conn.totalCount).toBeGreaterThan(15);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const second = await gql(api.url, q, { after: conn.pageInfo.endCursor });
    const ids = [...conn.edges, ...second.data!.organizations.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(ids).size).toBe(10);
    expect([...ids].sort()).toEqual(ids);
  });

  it('filters by kind and country and shows parents and clients', async () => {
    const { data } = await gql(api.url, `{
      committees: organizations(filter: { kinds: [SANCTIONS_COMMITTEE] }) { edges { node { id clients { id } } } }
      kaz: organizations(filter: { country: "KAZ", kinds: [MEMBER_STATE_AGENCY] }) { edges { node { id country { iso3 } } } }
      mt: organization(id: "monitoring-team") { kind parents { id } }
    }`);
    expect(data!.committees.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(['sc-1267', 'sc-1988']);
    expect(data!.committees.edges[0].node.clients).toEqual([{ id: 'monitoring-team' }]);
    expect(data!.kaz.edges.map((e: { node: { country: { iso3: string } } }) => e.node.country.iso3)).toEqual(['KAZ']);
    expect(data!.mt).toEqual({ kind: 'SANCTIONS_MONITORING', parents: [{ id: 'sc-1267' }, { id: 'sc-1988' }] });
  });
});

describe('indicators and observations', () => {
  it('lists indicators by theme with thresholds', async () => {
    const { data } = await gql(api.url, '{ all: indicators { code } op: indicators(filter: { theme: ONLINE_PROPAGANDA }) { code theme thresholds { watch warning critical } worseDirection } }');
    expect(data!.all.length).toBeGreaterThanOrEqual(25);
    expect(data!.op.length).toBeGreaterThan(0);
    expect(data!.op.every((i: { theme: string }) => i.theme === 'ONLINE_PROPAGANDA')).toBe(true);
  });

  it("reads an indicator's observations by country and period range, newest first", async () => {
    const { data, errors } = await gql(
      api.url,
      '{ indicator(code: "OP-01") { periodicity observations(country: "KAZ", from: "2024-01", to: "2024-06", first: 100) { totalCount edges { node { period country { iso3 } } } } } }',
    );
    expect(errors).toBeUndefined();
    const periods = data!.indicator.observations.edges.map((e: { node: { period: string } }) => e.node.period);
    // Anonymous callers see the TLP:CLEAR values only, so some months may be missing, never extra ones.
    expect(periods.length).toBeGreaterThan(0);
    expect(periods.every((p: string) => p >= '2024-01' && p <= '2024-06')).toBe(true);
    expect([...periods].sort().reverse()).toEqual(periods);
    expect(data!.indicator.observations.totalCount).toBe(periods.length);
  });
});
