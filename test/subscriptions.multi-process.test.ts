import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, stopApiProcesses, type ApiProcess } from './support/api-process.js';
import { copyOfTemplate, gql } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { subscribe } from './support/ws.js';

/**
 * Several API processes behind a load balancer must all deliver live alerts: an alert raised by a write
 * on process A reaches a subscriber connected to process B (PostgreSQL LISTEN/NOTIFY). Needs a shared
 * PostgreSQL, so it runs in the PostgreSQL suite (`npm run test:pg`, part of .ci/run); the embedded
 * database is one process by nature, and test/subscriptions.test.ts covers it. Triage changes travel the
 * same way, each to its own organization's subscribers only.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('live alerts across two API processes on one PostgreSQL', () => {
  let idp: TestIdentityProvider;
  let database: { url: string; drop: () => Promise<void> };
  const processes: ApiProcess[] = [];
  const urls: string[] = [];

  async function startProcess(): Promise<string> {
    const api = await startApiProcess({ ...idp.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn', MAX_FUTURE_PERIODS: 'unlimited' });
    processes.push(api);
    return api.url;
  }

  beforeAll(async () => {
    idp = await createIdentityProvider();
    database = await copyOfTemplate();
    urls.push(...(await Promise.all([startProcess(), startProcess()])));
  }, 90_000);

  afterAll(async () => {
    await stopApiProcesses(processes);
    await database?.drop();
  });

  it('a write on process A reaches a subscriber on process B, under B’s policy check', async () => {
    const [a, b] = urls as [string, string];
    const bearer = async (org: string, roles: string[]) => `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}`;
    const indicators = await gql(a, '{ indicators(filter: { periodicity: MONTHLY }) { code worseDirection thresholds { critical } } }');
    const spec = indicators.data!.indicators.find((i: { worseDirection: string }) => i.worseDirection === 'HIGHER');
    const onB = await subscribe<{ alertRaised: { id: string; country: { iso3: string } } }>(
      b,
      'subscription { alertRaised(country: "TKM") { id country { iso3 } } }',
      {},
      await bearer('tkm-ct', ['analyst']),
    );
    try {
      const write = await gql(
        a,
        'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id } } }',
        { input: [{ indicator: spec.code, country: 'TKM', period: '2027-02', value: spec.thresholds.critical + 10, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
        { authorization: await bearer('tkm-ct', ['contributor']) },
      );
      expect(write.errors).toBeUndefined();
      const [alert] = write.data!.recordObservations.alerts;
      const event = await onB.next((e) => e.alertRaised.id === alert.id, 15_000);
      expect(event.alertRaised.country.iso3).toBe('TKM');
    } finally {
      await onB.close();
    }
  });

  it('a triage change on process A reaches its own organization’s subscriber on process B, and no other organization’s', async () => {
    const [a, b] = urls as [string, string];
    const bearer = async (org: string, roles: string[]) => `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}`;
    const indicators = await gql(a, '{ indicators(filter: { periodicity: MONTHLY }) { code worseDirection thresholds { critical } } }');
    const spec = indicators.data!.indicators.find((i: { worseDirection: string }) => i.worseDirection === 'HIGHER');
    const write = await gql(
      a,
      'mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id rule } } }',
      { input: [{ indicator: spec.code, country: 'TKM', period: '2027-05', value: spec.thresholds.critical + 10, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
      { authorization: await bearer('tkm-ct', ['contributor']) },
    );
    expect(write.errors).toBeUndefined();
    const id = write.data!.recordObservations.alerts.find((x: { rule: string }) => x.rule === 'THRESHOLD').id;
    const SUB = 'subscription { alertTriaged { id triage { notes(first: 1) { text } } } }';
    type Event = { alertTriaged: { id: string; triage: { notes: { text: string }[] } } };
    const tkmOnB = await subscribe<Event>(b, SUB, {}, await bearer('tkm-ct', ['analyst']));
    const uzbOnB = await subscribe<Event>(b, SUB, {}, await bearer('uzb-ct', ['analyst']));
    const ACK = 'mutation($id: String!, $note: String!) { acknowledgeAlert(id: $id, note: $note) { id } }';
    try {
      expect((await gql(a, ACK, { id, note: 'tkm-ack' }, { authorization: await bearer('tkm-ct', ['analyst']) })).errors).toBeUndefined();
      await tkmOnB.next((e) => e.alertTriaged.triage.notes[0]?.text === 'tkm-ack', 15_000);
      expect((await gql(a, ACK, { id, note: 'uzb-ack' }, { authorization: await bearer('uzb-ct', ['analyst']) })).errors).toBeUndefined();
      await uzbOnB.next((e) => e.alertTriaged.triage.notes[0]?.text === 'uzb-ack', 15_000);
      expect(tkmOnB.events.map((e) => e.alertTriaged.triage.notes[0]!.text)).toEqual(['tkm-ack']);
      expect(uzbOnB.events.map((e) => e.alertTriaged.triage.notes[0]!.text)).toEqual(['uzb-ack']);
    } finally {
      await Promise.all([tkmOnB.close(), uzbOnB.close()]);
    }
  });
});
