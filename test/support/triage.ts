import { expect } from 'vitest';
import { indicators, type IndicatorRow } from '../../src/db/schema/index.js';
import { gql, type GraphQLResponse, type TestApp } from './app.js';
import type { TestIdentityProvider } from './tokens.js';

/** A person's token: `sample:<org>:<who>` of the organization, with the roles given. */
export async function bearer(idp: TestIdentityProvider, org: string, roles: string[] = ['analyst'], who = 'analyst-1'): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:${who}`, org, roles })}` };
}

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } alerts { id rule } } }`;

/**
 * Raises THRESHOLD alerts for tests: kaz-ct records a calm month and a month at the warning level in a
 * monthly Kazakhstan series (periods chosen by the caller, clear of the sample data), marked as asked.
 */
export async function alertRaiser(api: TestApp, idp: TestIdentityProvider) {
  const indicator: IndicatorRow = (await api.app.database.db.select().from(indicators)).find(
    (i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER' && i.thresholdWarning < i.thresholdCritical,
  )!;
  // org-admin: a TLP:CLEAR value is a public release.
  const kaz = await bearer(idp, 'kaz-ct', ['contributor', 'analyst', 'org-admin']);
  const calm = indicator.thresholdWatch / 2;
  const warning = (indicator.thresholdWarning + indicator.thresholdCritical) / 2;
  async function record(period: string, value: number, tlp = 'GREEN') {
    const input = [{ indicator: indicator.code, country: 'KAZ', period, value, tlp, sourceReliability: 'B', informationCredibility: 2 }];
    const r = await gql(api.url, RECORD, { input }, kaz);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data!.recordObservations as { observations: { id: string }[]; alerts: { id: string; rule: string }[] };
  }
  /** A WARNING for `year`-02 (after a calm January): the alert's id. */
  async function raise(year: number, tlp = 'GREEN'): Promise<string> {
    await record(`${year}-01`, calm, tlp);
    const raised = await record(`${year}-02`, warning, tlp);
    return raised.alerts.find((a) => a.rule === 'THRESHOLD')!.id;
  }
  /** Corrects `year`-02 to a calm value: its WARNING no longer holds (superseded). */
  const correct = (year: number, tlp = 'GREEN') => record(`${year}-02`, calm, tlp);
  return { indicator, raise, correct, record };
}

export const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;
