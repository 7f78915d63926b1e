import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicators, type IndicatorRow } from '../src/db/schema/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { subscribe } from './support/ws.js';

/**
 * Alerts follow the values (issue 15). A correction re-evaluates the periods it affects in the writing
 * transaction: the WARNING a 7 raised is superseded when the 7 becomes a 2 (kept, linked to the revision),
 * and the next period's 7 now raises one. Alerts carry the period and the time the condition became known,
 * lists order and filter by them; back-filled history is historical (kept, never notified).
 */
let api: TestApp;
let idp: TestIdentityProvider;
let indicator: IndicatorRow;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited', ALERT_BACKFILL_HORIZON_DAYS: '120' });
  indicator = (await api.app.database.db.select().from(indicators)).find(
    (i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER' && i.thresholdWarning < i.thresholdCritical,
  )!;
});
afterAll(() => api?.stop());

const token = async (org: string, roles = ['contributor', 'analyst']) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } alerts { id rule level period historical } } }`;
const ALERTS = `query($filter: AlertFilter, $orderBy: AlertOrder) { alerts(first: 100, filter: $filter, orderBy: $orderBy) {
  edges { node { id rule level period status knownAt raisedAt historical supersededAt supersededBy { id value } source { id } } } } }`;

interface AlertNode {
  id: string;
  rule: string;
  level: string;
  period: string;
  status: string;
  knownAt: string;
  historical: boolean;
  supersededAt: string | null;
  supersededBy: { id: string; value: number } | null;
}

const low = () => indicator.thresholdWatch / 2;
const warning = () => (indicator.thresholdWarning + indicator.thresholdCritical) / 2;

async function record(period: string, value: number, tlp = 'GREEN', org = 'kaz-ct') {
  const input = [{ indicator: indicator.code, country: 'KAZ', period, value, tlp, sourceReliability: 'B', informationCredibility: 2 }];
  const r = await gql(api.url, RECORD, { input }, await token(org));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.recordObservations as { observations: { id: string }[]; alerts: { id: string; rule: string; level: string; period: string; historical: boolean }[] };
}

async function alertsOf(org: string | null, filter: Record<string, unknown>, orderBy?: string): Promise<AlertNode[]> {
  const r = await gql(api.url, ALERTS, { filter: { indicator: indicator.code, country: 'KAZ', ...filter }, orderBy }, org ? await token(org) : {});
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.alerts.edges.map((e: { node: AlertNode }) => e.node).filter((a: AlertNode) => a.rule === 'THRESHOLD');
}
const inRange = (from: string, to: string) => ({ periodFrom: from, periodTo: to });

describe('a correction re-evaluates the alerts of the periods it affects', () => {
  it('7 corrected to 2: the WARNING is superseded (kept, linked to the revision) and the next 7 raises one', async () => {
    await record('2034-01', low());
    const raised = await record('2034-02', warning());
    expect(raised.alerts.filter((a) => a.rule === 'THRESHOLD').map((a) => [a.period, a.level])).toEqual([['2034-02', 'WARNING']]);
    // The level persists into March: nothing new.
    expect((await record('2034-03', warning())).alerts.filter((a) => a.rule === 'THRESHOLD')).toEqual([]);

    const correction = await record('2034-02', low());
    // March's 7 now follows a 2: a new condition, raised in the correcting write.
    expect(correction.alerts.filter((a) => a.rule === 'THRESHOLD').map((a) => [a.period, a.level])).toEqual([['2034-03', 'WARNING']]);

    const standing = await alertsOf('kaz-ct', inRange('2034-01', '2034-12'));
    expect(standing.map((a) => [a.period, a.level, a.status])).toEqual([['2034-03', 'WARNING', 'OPEN']]);
    const superseded = await alertsOf('kaz-ct', { ...inRange('2034-01', '2034-12'), status: 'SUPERSEDED' });
    expect(superseded).toEqual([
      expect.objectContaining({ id: raised.alerts.find((a) => a.rule === 'THRESHOLD')!.id, period: '2034-02', status: 'SUPERSEDED', supersededBy: { id: correction.observations[0]!.id, value: low() } }),
    ]);
    expect(superseded[0]!.supersededAt).not.toBeNull();
    // Both, with includeSuperseded.
    expect((await alertsOf('kaz-ct', { ...inRange('2034-01', '2034-12'), includeSuperseded: true })).map((a) => a.period).sort()).toEqual(['2034-02', '2034-03']);
  });

  it('a correction the viewer may not see changes nothing for that viewer: the old alert still stands, the new one is hidden', async () => {
    await record('2035-01', low());
    const raised = await record('2035-02', warning());
    await record('2035-03', warning());
    await record('2035-02', low(), 'AMBER_STRICT');
    // The originating organization sees the correction and what follows from it.
    expect((await alertsOf('kaz-ct', inRange('2035-01', '2035-12'))).map((a) => [a.period, a.status])).toEqual([['2035-03', 'OPEN']]);
    // A GREEN reader sees February's 7 (the revision it may see) and the WARNING it raised, as it stood.
    const seen = await alertsOf('uzb-ct', inRange('2035-01', '2035-12'));
    expect(seen.map((a) => [a.id, a.period, a.status, a.supersededAt, a.supersededBy])).toEqual([[raised.alerts.find((a) => a.rule === 'THRESHOLD')!.id, '2035-02', 'OPEN', null, null]]);
    expect(await alertsOf('uzb-ct', { ...inRange('2035-01', '2035-12'), status: 'SUPERSEDED' })).toEqual([]);
  });
});

describe('when an alert concerns and when it became known', () => {
  it('knownAt is the recorded time of the value; lists order by it (default) or by period, and filter by both', async () => {
    await record('2036-05', low());
    const late = await record('2036-06', warning()); // June, recorded first
    await record('2036-01', low());
    const early = await record('2036-02', warning()); // February, recorded later
    const byKnown = await alertsOf('kaz-ct', inRange('2036-01', '2036-12'));
    expect(byKnown.map((a) => a.period)).toEqual(['2036-02', '2036-06']);
    expect(Date.parse(byKnown[0]!.knownAt)).toBeGreaterThan(Date.parse(byKnown[1]!.knownAt));
    const byPeriod = await alertsOf('kaz-ct', inRange('2036-01', '2036-12'), 'PERIOD_DESC');
    expect(byPeriod.map((a) => a.period)).toEqual(['2036-06', '2036-02']);
    expect((await alertsOf('kaz-ct', inRange('2036-03', '2036-12'))).map((a) => a.id)).toEqual([late.alerts.find((a) => a.rule === 'THRESHOLD')!.id]);
    const known = Date.parse(byKnown[0]!.knownAt);
    expect((await alertsOf('kaz-ct', { ...inRange('2036-01', '2036-12'), knownFrom: new Date(known).toISOString() })).map((a) => a.id)).toEqual([
      early.alerts.find((a) => a.rule === 'THRESHOLD')!.id,
    ]);
  });
});

describe('back-filled history', () => {
  it('values recorded long after their period raise historical alerts: kept, not listed by default, never notified', async () => {
    const sub = await subscribe<{ alertRaised: { id: string; period: string } }>(
      api.url,
      `subscription { alertRaised(country: "KAZ") { id period } }`,
      {},
      (await token('kaz-ct')).authorization,
    );
    try {
      await record('2015-01', low());
      const old = await record('2015-02', warning());
      const historical = old.alerts.filter((a) => a.rule === 'THRESHOLD');
      expect(historical).toEqual([expect.objectContaining({ period: '2015-02', historical: true })]);
      expect(await alertsOf('kaz-ct', inRange('2015-01', '2015-12'))).toEqual([]);
      expect((await alertsOf('kaz-ct', { ...inRange('2015-01', '2015-12'), includeHistorical: true })).map((a) => a.id)).toEqual([historical[0]!.id]);
      // A live alert recorded after it is delivered; the historical one never was.
      await record('2037-01', low());
      const live = (await record('2037-02', warning())).alerts.find((a) => a.rule === 'THRESHOLD')!;
      expect(live.historical).toBe(false);
      await sub.next((e) => e.alertRaised.id === live.id);
      expect(sub.events.map((e) => e.alertRaised.id)).not.toContain(historical[0]!.id);
    } finally {
      await sub.close();
    }
  });
});
