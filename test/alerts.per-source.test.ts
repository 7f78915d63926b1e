import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicators, type IndicatorRow } from '../src/db/schema/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Alerts are evaluated per source series (indicator × country × source, issue 15): a second source's
 * figure raises its own alert, and never counts as the previous period of another source's series.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let indicator: IndicatorRow;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  indicator = (await api.app.database.db.select().from(indicators)).find(
    (i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER' && (i.maxValue === null || i.maxValue > i.thresholdCritical * 2),
  )!;
});
afterAll(() => api?.stop());

const token = async (org: string) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles: ['contributor'] })}` });
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id rule level source { id } } } }`;

async function record(org: string, period: string, value: number) {
  const input = [{ indicator: indicator.code, country: 'KAZ', period, value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }];
  const response = await gql(api.url, RECORD, { input }, await token(org));
  expect(response.errors).toBeUndefined();
  return (response.data!.recordObservations.alerts as { rule: string; level: string; source: { id: string } }[]).filter((a) => a.rule === 'THRESHOLD');
}

describe('alerts per source series', () => {
  it("a second source's critical figure for the same period raises its own alert, with its source", async () => {
    const critical = indicator.thresholdCritical * 1.5;
    const first = await record('kaz-ct', '2031-01', critical);
    expect(first).toEqual([expect.objectContaining({ level: 'CRITICAL', source: { id: 'kaz-ct' } })]);
    // The same level for the same period, by another source: before, the period's existing alert swallowed it.
    const second = await record('unodc', '2031-01', critical);
    expect(second).toEqual([expect.objectContaining({ level: 'CRITICAL', source: { id: 'unodc' } })]);
  });

  it("another source's figure is not the previous period of a series: UNODC's first critical month is new for UNODC", async () => {
    const critical = indicator.thresholdCritical * 1.5;
    await record('kaz-ct', '2032-01', critical);
    // kaz-ct's level persists into February: nothing new for kaz-ct's series.
    expect(await record('kaz-ct', '2032-02', critical)).toEqual([]);
    // UNODC reports February only: its series has no January, so its critical February is a new condition.
    expect(await record('unodc', '2032-02', critical)).toEqual([expect.objectContaining({ level: 'CRITICAL', source: { id: 'unodc' } })]);
  });
});
