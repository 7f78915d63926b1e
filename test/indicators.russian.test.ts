import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDICATORS } from '../src/db/seed/indicators.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

/**
 * An indicator's unit and methodology are bilingual like its name (issue 15: under `lang: RU` they stayed
 * English): the `lang` argument, else Accept-Language, else English, on the compiled path and on the SQL
 * path's shapes alike.
 */
let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

const RUSSIAN = { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' };
const cyrillic = /[а-яё]/i;

const executions = async (executor: string) => {
  const line = (await (await fetch(`${api.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`ctewn_graphql_executions_total{executor="${executor}"}`));
  return Number(line?.split(' ').pop() ?? 0);
};

describe("an indicator's unit and methodology", () => {
  it('come in the language of the lang argument', async () => {
    const { data, errors } = await gql(api.url, `{ indicator(code: "OP-04") {
      ru: unit(lang: RU) en: unit(lang: EN) plain: unit mRu: methodology(lang: RU) mEn: methodology(lang: EN) } }`);
    expect(errors).toBeUndefined();
    expect(data!.indicator).toEqual({
      ru: 'тыс. просмотров',
      en: 'thousand views',
      plain: 'thousand views',
      mRu: 'Сумма просмотров по данным платформ на момент выявления, в тысячах.',
      mEn: 'Sum of platform-reported views at the time of flagging, in thousands.',
    });
  });

  it('come in Russian under Accept-Language ru, unless the argument asks for English', async () => {
    const { data, errors } = await gql(api.url, '{ indicator(code: "VE-01") { unit methodology en: unit(lang: EN) } }', {}, RUSSIAN);
    expect(errors).toBeUndefined();
    expect(data!.indicator).toEqual({
      unit: 'инцидентов',
      methodology: 'Инциденты, подтверждённые национальными органами; многодневное событие учитывается один раз, в месяце его начала.',
      en: 'incidents',
    });
  });

  it('are translated for every sample indicator: a Russian methodology, a Russian unit ("%" stays "%")', async () => {
    const { data } = await gql(api.url, '{ indicators { code unit(lang: RU) methodology(lang: RU) enUnit: unit(lang: EN) } }');
    const indicators = data!.indicators as { code: string; unit: string; methodology: string; enUnit: string }[];
    expect(indicators).toHaveLength(INDICATORS.length);
    for (const i of indicators) {
      expect(i.methodology, i.code).toMatch(cyrillic);
      if (i.enUnit === '%') expect(i.unit, i.code).toBe('%');
      else expect(i.unit, i.code).toMatch(cyrillic);
    }
  });

  it('come in Russian from the SQL path too: indicators with one country\'s values (W2) and a report with its indicators (W3)', async () => {
    // The first request of a process also loads the reference data snapshot.
    await gql(api.url, '{ countries { iso3 } }');
    const before = await executions('sql');
    const w2 = '{ indicators { code unit methodology observations(country: "TJK", first: 1) { edges { node { period } } } } }';
    const byHeader = await gql(api.url, w2, {}, RUSSIAN);
    const byArgument = await gql(api.url, '{ indicators { code unit(lang: RU) methodology(lang: RU) observations(country: "TJK", first: 1) { edges { node { period } } } } }');
    const english = await gql(api.url, w2);
    const reports = await gql(api.url, '{ reports(first: 20) { edges { node { id indicators { code } } } } }');
    const id = reports.data!.reports.edges.find((e: { node: { indicators: unknown[] } }) => e.node.indicators.length > 0).node.id as string;
    const w3 = await gql(api.url, `{ report(id: "${id}") { id indicators { code unit(lang: RU) methodology(lang: RU) latestValues(countries: ["TJK"]) { value } } } }`);
    expect(await executions('sql')).toBe(before + 4);
    for (const response of [byHeader, byArgument, english, w3]) expect(response.errors).toBeUndefined();
    const op01 = (r: typeof byHeader) => r.data!.indicators.find((i: { code: string }) => i.code === 'OP-01');
    expect(op01(byHeader)).toMatchObject({ unit: 'материалов', methodology: expect.stringMatching(/^Число уникальных материалов/) });
    expect(op01(byArgument)).toMatchObject({ unit: 'материалов', methodology: op01(byHeader).methodology });
    expect(op01(english)).toMatchObject({ unit: 'items', methodology: expect.stringMatching(/^Monthly count of unique items/) });
    const sample = new Map(INDICATORS.map((i) => [i.code, i]));
    const linked = w3.data!.report.indicators as { code: string; unit: string; methodology: string }[];
    expect(linked.length).toBeGreaterThan(0);
    for (const i of linked) expect(i, i.code).toMatchObject({ unit: sample.get(i.code)!.unitRu, methodology: sample.get(i.code)!.methodologyRu });
  });
});
