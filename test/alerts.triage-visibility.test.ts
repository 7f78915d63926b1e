import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { alertRaiser, bearer, codeOf } from './support/triage.js';
import { subscribe } from './support/ws.js';

/**
 * An organization's triage is its own: another organization sees none of it (not the state, not the
 * notes, not that a thread exists) on any path: lists and filters, aliases and fragments, errors, the
 * federation entry point, subscriptions. The network's coordinators (UNRCCA, UNOCT) read every
 * organization's state, and its notes once it has escalated the alert; never the assignee.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let raiser: Awaited<ReturnType<typeof alertRaiser>>;
let alertId: string;
const SECRET = 'kaz-ct internal: source handled by the Almaty desk';
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  raiser = await alertRaiser(api, idp);
  alertId = await raiser.raise(2050);
  const kaz = await bearer(idp, 'kaz-ct');
  for (const query of [
    `mutation($id: String!) { acknowledgeAlert(id: $id, note: "${SECRET}") { id } }`,
    `mutation($id: String!) { triageAlert(id: $id, state: IN_REVIEW, note: "${SECRET} (review)") { id } }`,
    `mutation($id: String!) { assignAlert(id: $id, person: "sample:kaz-ct:analyst-7", organizationId: "kaz-ct") { id } }`,
  ]) {
    const r = await gql(api.url, query, { id: alertId }, kaz);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  }
});
afterAll(() => api?.stop());

/** Every way a query can ask for the alert's triage: plain, aliased, in fragments, in a nested fragment. */
const PROBE = `query { alerts(first: 100, filter: { periodFrom: "2050-01", periodTo: "2050-12" }) { totalCount edges { node { id
  status acknowledgedAt acknowledgedByOrganizationId acknowledgementNote
  triage { state assignee updatedAt notes { text author } }
  mine: triage { s: state n: notes(first: 100) { t: text } }
  ...AlertTriageFields
  ... on Alert { triage { ...TriageFields } }
} } }
  open: alerts(first: 100, filter: { periodFrom: "2050-01", periodTo: "2050-12", status: OPEN }) { totalCount }
  acknowledged: alerts(first: 100, filter: { periodFrom: "2050-01", periodTo: "2050-12", status: ACKNOWLEDGED }) { totalCount }
  untouched: alerts(first: 100, filter: { periodFrom: "2050-01", periodTo: "2050-12", triageState: [NEW] }) { totalCount }
  reviewed: alerts(first: 100, filter: { periodFrom: "2050-01", periodTo: "2050-12", triageState: [IN_REVIEW] }) { totalCount }
}
fragment AlertTriageFields on Alert { t2: triage { state assignee notes { text } } }
fragment TriageFields on AlertTriage { state escalatedAt notes { text state } }`;

describe('another organization sees nothing of kaz-ct’s triage', () => {
  for (const org of ['uzb-ct', 'sco-rats', 'unodc']) {
    it(`${org}: its own (NEW) triage on every path; no state, note, assignee, count or error about kaz-ct’s`, async () => {
      const r = await gql(api.url, PROBE, {}, await bearer(idp, org));
      expect(r.errors).toBeUndefined();
      const text = JSON.stringify(r.data);
      expect(text).not.toContain('kaz-ct');
      expect(text).not.toContain('IN_REVIEW');
      expect(text).not.toContain('Almaty');
      const node = r.data!.alerts.edges.find((e: { node: { id: string } }) => e.node.id === alertId).node;
      expect(node).toMatchObject({
        status: 'OPEN',
        acknowledgedAt: null,
        acknowledgedByOrganizationId: null,
        acknowledgementNote: null,
        triage: { state: 'NEW', assignee: null, updatedAt: null, notes: [] },
        mine: { s: 'NEW', n: [] },
        t2: { state: 'NEW', assignee: null, notes: [] },
      });
      // Filters and counts answer for the viewer's own triage only.
      expect(r.data!.open.totalCount).toBe(r.data!.alerts.totalCount);
      expect(r.data!.untouched.totalCount).toBe(r.data!.alerts.totalCount);
      expect(r.data!.acknowledged.totalCount).toBe(0);
      expect(r.data!.reviewed.totalCount).toBe(0);
    });
  }

  it('kaz-ct reads its own on every path', async () => {
    const r = await gql(api.url, PROBE, {}, await bearer(idp, 'kaz-ct'));
    expect(r.errors).toBeUndefined();
    const node = r.data!.alerts.edges.find((e: { node: { id: string } }) => e.node.id === alertId).node;
    expect(node).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledgedByOrganizationId: 'kaz-ct',
      acknowledgementNote: SECRET,
      triage: { state: 'IN_REVIEW', assignee: 'sample:kaz-ct:analyst-7', notes: [{ text: `${SECRET} (review)` }, { text: SECRET }] },
      mine: { s: 'IN_REVIEW' },
      t2: { state: 'IN_REVIEW' },
    });
    expect(r.data!.reviewed.totalCount).toBe(1);
    expect(r.data!.untouched.totalCount).toBe(r.data!.alerts.totalCount - 1);
  });

  it('Alert.triages is refused to a non-coordinator with the same error whether or not anyone triaged the alert', async () => {
    const untriaged = await raiser.raise(2051);
    const TRIAGES = `query($from: Period!, $to: Period!) { alerts(first: 5, filter: { periodFrom: $from, periodTo: $to }) { edges { node { id all: triages { state notes { text } } } } } }`;
    const sco = await bearer(idp, 'sco-rats');
    const triaged = await gql(api.url, TRIAGES, { from: '2050-01', to: '2050-12' }, sco);
    const clean = await gql(api.url, TRIAGES, { from: '2051-01', to: '2051-12' }, sco);
    const errorsOf = (r: typeof triaged) => r.errors!.map((e) => ({ message: e.message, code: e.extensions!.code }));
    expect(codeOf(triaged)).toBe('FORBIDDEN');
    expect(errorsOf(triaged)).toEqual(errorsOf(clean));
    expect(JSON.stringify(triaged)).not.toMatch(/kaz-ct|IN_REVIEW|Almaty/);
    expect(clean.data!.alerts.edges.find((e: { node: { id: string } }) => e.node.id === untriaged).node.all).toBeNull();
  });

  it('Alert is no federation entity: `_entities` cannot reach a triage', async () => {
    const r = await gql(api.url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Alert { triage { state notes { text } } } } }`, {
      r: [{ __typename: 'Alert', id: alertId }],
    }, await bearer(idp, 'sco-rats'));
    expect(r.data ?? null).toBeNull();
    expect(codeOf(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(r)).not.toMatch(/IN_REVIEW|Almaty/);
  });
});

describe('the network’s coordinators', () => {
  const BOARD = `query { alerts(first: 10, filter: { periodFrom: "2050-01", periodTo: "2050-12" }) { edges { node { id
    triages { organization { id } state escalatedAt notes(first: 10) { text } } } } } }`;
  const boardOf = async (org: string) => {
    const r = await gql(api.url, BOARD, {}, await bearer(idp, org));
    return { r, triages: r.data?.alerts.edges.find((e: { node: { id: string } }) => e.node.id === alertId)?.node.triages };
  };

  it('read every organization’s state, not its notes before it is escalated, never its assignee', async () => {
    await gql(api.url, `mutation($id: String!) { acknowledgeAlert(id: $id, note: "RATS looked") { id } }`, { id: alertId }, await bearer(idp, 'sco-rats'));
    for (const coordinator of ['unrcca', 'unoct']) {
      const { r, triages } = await boardOf(coordinator);
      expect(triages.map((t: { organization: { id: string }; state: string }) => [t.organization.id, t.state])).toEqual([
        ['kaz-ct', 'IN_REVIEW'],
        ['sco-rats', 'ACKNOWLEDGED'],
      ]);
      expect(triages.map((t: { notes: unknown }) => t.notes)).toEqual([null, null]);
      expect(r.errors!.map((e) => [e.extensions!.code, e.path!.slice(-1)[0]])).toEqual([
        ['FORBIDDEN', 'notes'],
        ['FORBIDDEN', 'notes'],
      ]);
      expect(JSON.stringify(r)).not.toContain('Almaty');
    }
    const assignee = await gql(api.url, `query { alerts(first: 10, filter: { periodFrom: "2050-01", periodTo: "2050-12" }) { edges { node { id triages { assignee } } } } }`, {}, await bearer(idp, 'unrcca'));
    expect(JSON.stringify(assignee.data)).not.toContain('analyst-7');
    expect(codeOf(assignee)).toBe('FORBIDDEN');
  });

  it('read the thread of an organization that escalated the alert, from then on; the other organizations’ stay closed', async () => {
    await gql(api.url, `mutation($id: String!) { triageAlert(id: $id, state: ESCALATED, note: "Escalated to the network: cross-border") { id } }`, { id: alertId }, await bearer(idp, 'kaz-ct'));
    const { r, triages } = await boardOf('unrcca');
    const kaz = triages.find((t: { organization: { id: string } }) => t.organization.id === 'kaz-ct');
    expect(kaz.state).toBe('ESCALATED');
    expect(kaz.escalatedAt).not.toBeNull();
    expect(kaz.notes.map((n: { text: string }) => n.text)).toEqual(['Escalated to the network: cross-border', `${SECRET} (review)`, SECRET]);
    expect(triages.find((t: { organization: { id: string } }) => t.organization.id === 'sco-rats').notes).toBeNull();
    expect(r.errors).toHaveLength(1);
    // Still nothing for a non-coordinator.
    expect(codeOf((await boardOf('uzb-ct')).r)).toBe('FORBIDDEN');
  });
});

describe('subscriptions', () => {
  it('alertTriaged sends an organization its own triage changes and never another organization’s', async () => {
    const id = await raiser.raise(2052);
    const SUB = `subscription { alertTriaged { id triage { state notes(first: 1) { text } } } }`;
    type Event = { alertTriaged: { id: string; triage: { state: string; notes: { text: string }[] } } };
    const kazSub = await subscribe<Event>(api.url, SUB, {}, (await bearer(idp, 'kaz-ct')).authorization);
    const scoSub = await subscribe<Event>(api.url, SUB, {}, (await bearer(idp, 'sco-rats')).authorization);
    const coordinatorSub = await subscribe<Event>(api.url, SUB, {}, (await bearer(idp, 'unrcca')).authorization);
    try {
      const write = async (org: string, query: string) => {
        const r = await gql(api.url, query, { id }, await bearer(idp, org));
        expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      };
      await write('sco-rats', `mutation($id: String!) { acknowledgeAlert(id: $id, note: "rats-ack") { id } }`);
      await scoSub.next((e) => e.alertTriaged.triage.notes[0]?.text === 'rats-ack');
      await write('kaz-ct', `mutation($id: String!) { acknowledgeAlert(id: $id, note: "kaz-ack") { id } }`);
      await write('kaz-ct', `mutation($id: String!) { noteAlert(id: $id, note: "kaz-note") { id } }`);
      await kazSub.next((e) => e.alertTriaged.triage.notes[0]?.text === 'kaz-note');
      await write('sco-rats', `mutation($id: String!) { triageAlert(id: $id, state: IN_REVIEW, note: "rats-review") { id } }`);
      await scoSub.next((e) => e.alertTriaged.triage.state === 'IN_REVIEW');
      // The coordinator's own change, last: once it arrives, every earlier change has been dealt with.
      await write('unrcca', `mutation($id: String!) { acknowledgeAlert(id: $id, note: "unrcca-ack") { id } }`);
      await coordinatorSub.next((e) => e.alertTriaged.triage.notes[0]?.text === 'unrcca-ack');
      await write('kaz-ct', `mutation($id: String!) { noteAlert(id: $id, note: "kaz-last") { id } }`);
      await kazSub.next((e) => e.alertTriaged.triage.notes[0]?.text === 'kaz-last');

      const texts = (sub: { events: Event[] }) => sub.events.map((e) => e.alertTriaged.triage.notes[0]!.text);
      expect(texts(kazSub)).toEqual(['kaz-ack', 'kaz-note', 'kaz-last']);
      expect(texts(scoSub)).toEqual(['rats-ack', 'rats-review']);
      expect(texts(coordinatorSub)).toEqual(['unrcca-ack']);
      expect(kazSub.events.map((e) => e.alertTriaged.triage.state)).toEqual(['ACKNOWLEDGED', 'ACKNOWLEDGED', 'ACKNOWLEDGED']);
    } finally {
      await Promise.all([kazSub.close(), scoSub.close(), coordinatorSub.close()]);
    }
  });

  it('alertRaised filters on the subscriber’s own triage state: a new alert is NEW for everyone', async () => {
    const SUB = `subscription($states: [TriageState!]) { alertRaised(country: "KAZ", triageState: $states) { id triage { state } } }`;
    type Event = { alertRaised: { id: string; triage: { state: string } } };
    const token = (await bearer(idp, 'uzb-ct')).authorization;
    const fresh = await subscribe<Event>(api.url, SUB, { states: ['NEW'] }, token);
    const worked = await subscribe<Event>(api.url, SUB, { states: ['ACKNOWLEDGED', 'IN_REVIEW'] }, token);
    const all = await subscribe<Event>(api.url, SUB, { states: null }, token);
    try {
      const id = await raiser.raise(2053);
      await fresh.next((e) => e.alertRaised.id === id);
      await all.next((e) => e.alertRaised.id === id);
      expect(fresh.events.find((e) => e.alertRaised.id === id)!.alertRaised.triage.state).toBe('NEW');
      // The same alert was judged for `worked` when it was sent to the others: left out.
      const later = await raiser.raise(2054);
      await all.next((e) => e.alertRaised.id === later);
      expect(worked.events).toEqual([]);
    } finally {
      await Promise.all([fresh.close(), worked.close(), all.close()]);
    }
  });

  it('an anonymous subscriber gets no triage: refused the filter, and no alertTriaged events', async () => {
    const refused = await subscribe<unknown>(api.url, `subscription { alertRaised(triageState: [NEW]) { id } }`, {});
    const SUB = `subscription { alertTriaged { id triage { state } } }`;
    const anonymous = await subscribe<{ alertTriaged: { id: string } | null }>(api.url, SUB, {});
    const member = await subscribe<{ alertTriaged: { id: string } }>(api.url, SUB, {}, (await bearer(idp, 'kaz-ct')).authorization);
    try {
      await expect(refused.next(() => true, 2000)).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN', field: 'triageState' }) })]);
      const id = await raiser.raise(2055, 'CLEAR');
      await gql(api.url, `mutation($id: String!) { acknowledgeAlert(id: $id, note: "public alert, private triage") { id } }`, { id }, await bearer(idp, 'kaz-ct'));
      await member.next((e) => e.alertTriaged.id === id);
      expect(anonymous.events).toEqual([]);
    } finally {
      await Promise.all([refused.close(), anonymous.close(), member.close()]);
    }
  });
});

describe('no N+1', () => {
  it('a page of 50 alerts with their triage, notes and every organization’s triage takes as many statements as a page of 5', async () => {
    const Q = `query($first: Int) { alerts(first: $first) { totalCount edges { node { id status
      triage { state assignee notes(first: 5) { text author } }
      triages { organization { id } state notes(first: 5) { text } } acknowledgementNote } } } }`;
    const coordinator = await bearer(idp, 'unrcca');
    // Triage on the first page, so that every loader has rows to read: the coordinator's own threads, and
    // an agency's escalated thread (read after the board, as a second batch).
    const page = await gql(api.url, `{ alerts(first: 5) { edges { node { id } } } }`, {}, coordinator);
    const kaz = await bearer(idp, 'kaz-ct');
    for (const { node } of page.data!.alerts.edges.slice(0, 3)) {
      await gql(api.url, `mutation($id: String!) { acknowledgeAlert(id: $id, note: "coordination") { id } }`, { id: node.id }, coordinator);
      await gql(api.url, `mutation($id: String!) { acknowledgeAlert(id: $id, note: "agency") { id } }`, { id: node.id }, kaz);
    }
    const first = page.data!.alerts.edges[0].node.id;
    for (const state of ['IN_REVIEW', 'ESCALATED']) {
      await gql(api.url, `mutation($id: String!, $state: TriageState!) { triageAlert(id: $id, state: $state, note: "agency") { id } }`, { id: first, state }, kaz);
    }
    const small = await gql(api.url, Q, { first: 5 }, coordinator);
    const large = await gql(api.url, Q, { first: 50 }, coordinator);
    expect(large.data!.alerts.edges).toHaveLength(50);
    expect(small.data!.alerts.edges[0].node.triage.notes).toEqual([{ text: 'coordination', author: 'sample:unrcca:analyst-1' }]);
    expect(small.data!.alerts.edges[0].node.triages.find((t: { organization: { id: string } }) => t.organization.id === 'kaz-ct')).toMatchObject({ state: 'ESCALATED', notes: expect.arrayContaining([{ text: 'agency' }]) });
    expect(statementsOf(large)).toBe(statementsOf(small));
    expect(statementsOf(large)).toBeLessThanOrEqual(6);
  });
});
