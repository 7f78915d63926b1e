import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadLevelScales } from '../src/db/scales.js';
import { copyOfTemplate, gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * A threshold change racing a value write (PostgreSQL; on the embedded database transactions are
 * serial). The interleaving is forced: the test holds a SHARE lock on `alerts`, so the write stops at
 * its alert insert (its values inserted, judged by the old thresholds, not committed) and the change,
 * without a lock of its own, would re-evaluate the series without those values and stop at its alert
 * update; released, both commit and the write's alerts stand on thresholds that no longer hold. The
 * oracle: afterwards, re-evaluating the series changes nothing.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let database: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  if (!process.env.TEST_DATABASE_URL) return;
  database = await copyOfTemplate();
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, DATABASE_URL: database.url, MAX_FUTURE_PERIODS: 'unlimited' });
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`;
const SET = `mutation { setCountryThresholds(indicator: "VE-01", country: "KAZ", watch: 20, warning: 30, critical: 40, note: "race") { alerts { kept superseded raised } } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!process.env.TEST_DATABASE_URL)('a threshold change racing a value write', () => {
  it('waits for the write and re-evaluates its values: no alert stands on thresholds that no longer hold', async () => {
    const writer = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
    const admin = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unrcca:admin-1', org: 'unrcca', roles: ['network-admin'] })}` };
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table alerts in share mode');
      // 15 incidents: CRITICAL by the defaults (critical 10), nothing by Kazakhstan's new thresholds (watch 20).
      const write = gql(api.url, RECORD, { input: [{ indicator: 'VE-01', country: 'KAZ', period: '2200-01', value: 15, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] }, writer);
      await sleep(300);
      const change = gql(api.url, SET, {}, admin);
      await sleep(500);
      await blocker.query('commit');
      const [written, changed] = await Promise.all([write, change]);
      expect(written.errors).toBeUndefined();
      expect(changed.errors).toBeUndefined();
    } finally {
      await blocker.end();
    }
    const read = await gql(api.url, `{ alerts(filter: { indicator: "VE-01", country: "KAZ", periodFrom: "2200-01" }) { edges { node { level rule } } } }`, {}, writer);
    expect(read.data).toEqual({ alerts: { edges: [] } });
    const db = api.app.database.db;
    expect(await recomputeAlerts(db, await loadLevelScales(db), { scope: { indicatorCodes: ['VE-01'], countries: ['KAZ'] } })).toMatchObject({ superseded: 0, raised: 0 });
  });
});
