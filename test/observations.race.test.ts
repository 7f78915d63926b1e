import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observations } from '../src/db/schema/observations.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Two first writes of the same value racing: neither finds a value in force to lock (FOR UPDATE locks rows
 * that exist), so before the one-value-in-force index both stayed in force. Now the later one retries and
 * revises the first. (On the embedded database transactions are serial; the race is real on PostgreSQL.)
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
});
afterAll(() => api?.stop());

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id revision } } }`;

describe('concurrent first writes of one value by one source', () => {
  it('all are acknowledged, exactly one stays in force, and they are revisions 1..n of that value', async () => {
    const headers = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
    const writers = 8;
    const answers = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        gql(api.url, RECORD, { input: [{ indicator: 'OP-01', country: 'KAZ', period: '2140-03', value: 10 + i, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] }, headers),
      ),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    const rows = await api.app.database.db
      .select({ id: observations.id, revision: observations.revision, supersededAt: observations.supersededAt })
      .from(observations)
      .where(and(eq(observations.indicatorCode, 'OP-01'), eq(observations.countryIso3, 'KAZ'), eq(observations.periodStart, '2140-03-01'), eq(observations.sourceOrgId, 'kaz-ct')));
    expect(rows).toHaveLength(writers);
    expect(rows.filter((r) => r.supersededAt === null)).toHaveLength(1);
    expect(rows.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    const inForce = await api.app.database.db.select({ id: observations.id }).from(observations).where(and(eq(observations.periodStart, '2140-03-01'), isNull(observations.supersededAt)));
    expect(inForce).toHaveLength(1);
  });
});
