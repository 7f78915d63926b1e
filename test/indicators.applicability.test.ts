import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
