import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditEvents } from '../src/db/schema/audit.js';
import { indicators } from '../src/db/schema/indicators.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { rawSocket, subscribe } from './support/ws.js';

let api: TestApp;
let idp: TestIdentityProvider;
let code: string;
let critical: number;
beforeAll(async () => {
  idp = await createIdentityProvider();
  // Spikes are recorded in 2027, clear of the sample series (which ends at the current month): future
  // periods are refused unless MAX_FUTURE_PERIODS allows them.
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  const rows = await api.app.database.db.select().from(indicators);
  const spec = rows.find((i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER')!;
  code = spec.code;
  critical = spec.thresholdCritical;
});
afterAll(() => api?.stop());

const bearer = async (org: string, roles: string[]) => `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}`;
const ALERT_RAISED = `subscription($country: String, $minLevel: AlertLevel) { alertRaised(country: $country, minLevel: $minLevel) { id level rule tlp period country { iso3 } indicator { code } } }`;
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id tlp } } }`;

type Event = { alertRaised: { id: string; level: string; tlp: string; country: { iso3: string } } };

async function spike(org: string, country: string, period: string, tlp: string) {
  const response = await gql(
    api.url,
    RECORD,
    { input: [{ indicator: code, country, period, value: critical + 5, tlp, sourceReliability: 'B', informationCredibility: 2 }] },
    { authorization: await bearer(org, ['contributor']) },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.recordObservations.alerts as { id: string; tlp: string }[];
}

describe('live alerts over WebSocket', () => {
  it('delivers a raised alert to a cleared subscriber, and never to one who may not see it', async () => {
    const kaz = await subscribe<Event>(api.url, ALERT_RAISED, { country: 'KAZ' }, await bearer('kaz-ct', ['analyst']));
    const rats = await subscribe<Event>(api.url, ALERT_RAISED, { country: 'KAZ' }, await bearer('sco-rats', ['analyst']));
    try {
      const [strict] = await spike('kaz-ct', 'KAZ', '2027-01', 'AMBER_STRICT');
      const [green] = await spike('kaz-ct', 'KAZ', '2027-03', 'GREEN');
      await kaz.next((e) => e.alertRaised.id === strict!.id);
      await kaz.next((e) => e.alertRaised.id === green!.id);
      // Delivered in order: once the GREEN one has reached the regional body, the AMBER+STRICT one was skipped.
      await rats.next((e) => e.alertRaised.id === green!.id);
      expect(rats.events.map((e) => e.alertRaised.id)).not.toContain(strict!.id);
      expect(rats.events.every((e) => e.alertRaised.tlp !== 'AMBER_STRICT')).toBe(true);
    } finally {
      await kaz.close();
      await rats.close();
    }
  });

  it('filters by country and level', async () => {
    const sub = await subscribe<Event>(api.url, ALERT_RAISED, { country: 'UZB', minLevel: 'CRITICAL' }, await bearer('unodc', ['analyst']));
    try {
      const [kgzAlert] = await spike('kgz-ct', 'KGZ', '2027-01', 'GREEN');
      const [uzbAlert] = await spike('uzb-ct', 'UZB', '2027-01', 'GREEN');
      await sub.next((e) => e.alertRaised.id === uzbAlert!.id);
      expect(sub.events.map((e) => e.alertRaised.id)).not.toContain(kgzAlert!.id);
      expect(sub.events.every((e) => e.alertRaised.country.iso3 === 'UZB' && e.alertRaised.level === 'CRITICAL')).toBe(true);
    } finally {
      await sub.close();
    }
  });

  it('anonymous subscribers get CLEAR alerts only', async () => {
    const sub = await subscribe<Event>(api.url, ALERT_RAISED, { country: 'TJK' });
    try {
      const [green] = await spike('tjk-ct', 'TJK', '2027-01', 'GREEN');
      const [clear] = await (async () => {
        const response = await gql(
          api.url,
          RECORD,
          { input: [{ indicator: code, country: 'TJK', period: '2027-03', value: critical + 5, tlp: 'CLEAR', sourceReliability: 'B', informationCredibility: 2 }] },
          { authorization: await bearer('tjk-ct', ['contributor', 'org-admin']) },
        );
        return response.data!.recordObservations.alerts as { id: string }[];
      })();
      await sub.next((e) => e.alertRaised.id === clear!.id);
      expect(sub.events.map((e) => e.alertRaised.id)).not.toContain(green!.id);
    } finally {
      await sub.close();
    }
  });

  it('a bad token in connectionParams closes the connection with 4401 "invalid token", never an anonymous fall-back', async () => {
    await expect(subscribe<Event>(api.url, ALERT_RAISED, {}, 'Bearer not-a-token')).rejects.toMatchObject({ code: 4401, reason: 'invalid token' });
    const expired = `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['analyst'], iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 })}`;
    await expect(subscribe<Event>(api.url, ALERT_RAISED, {}, expired)).rejects.toMatchObject({ code: 4401, reason: 'invalid token' });
  });
});

describe('a token in the WebSocket upgrade request (Authorization header, server-side clients)', () => {
  const isAlert = (id: string) => (data: unknown) => (data as Event | undefined)?.alertRaised.id === id;

  it('is verified like connectionParams: a member sees the alerts of its marking, not only CLEAR', async () => {
    const socket = rawSocket(api.url, { authorization: await bearer('kaz-ct', ['analyst']) });
    try {
      expect(await socket.acknowledged).toEqual({ ack: true });
      socket.subscribe(ALERT_RAISED, { country: 'KAZ' });
      await new Promise((r) => setTimeout(r, 200));
      const [green] = await spike('kaz-ct', 'KAZ', '2027-07', 'GREEN');
      await socket.next(isAlert(green!.id));
    } finally {
      socket.close();
    }
  });

  it('a bad token in the header closes the connection with 4401 "invalid token" (never anonymous)', async () => {
    const socket = rawSocket(api.url, { authorization: 'Bearer not-a-token' });
    expect(await socket.acknowledged).toEqual({ ack: false, code: 4401, reason: 'invalid token' });
    const basic = rawSocket(api.url, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(await basic.acknowledged).toEqual({ ack: false, code: 4401, reason: 'invalid token' });
  });

  it('a header and connectionParams naming different tokens is refused (4400), not resolved by precedence', async () => {
    const header = await bearer('kaz-ct', ['analyst']);
    const socket = rawSocket(api.url, { authorization: header }, { authorization: await bearer('sco-rats', ['analyst']) });
    expect(await socket.acknowledged).toMatchObject({ ack: false, code: 4400, reason: expect.stringContaining('two different tokens') });
    const same = rawSocket(api.url, { authorization: header }, { authorization: header });
    expect(await same.acknowledged).toEqual({ ack: true });
    same.close();
  });
});

describe('live alerts over WebSocket: the access log', () => {

  it('each delivered non-CLEAR alert is written to the access log', async () => {
    const sub = await subscribe<Event>(api.url, 'subscription Watch { alertRaised(country: "KGZ") { id tlp } }', {}, await bearer('kgz-ct', ['analyst']));
    try {
      const [alert] = await spike('kgz-ct', 'KGZ', '2027-05', 'AMBER');
      await sub.next((e) => e.alertRaised.id === alert!.id);
      await api.app.accessLog.flush();
      const rows = await api.app.database.db
        .select({ org: auditEvents.actorOrgId, observationIds: auditEvents.observationIds })
        .from(auditEvents)
        .where(eq(auditEvents.operationName, 'Watch'));
      expect(rows).toContainEqual({ org: 'kgz-ct', observationIds: expect.arrayContaining([expect.any(String)]) });
    } finally {
      await sub.close();
    }
  });
});
