import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertTriageNotes, auditEvents } from '../src/db/schema/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { alertRaiser, bearer, codeOf } from './support/triage.js';

/**
 * Triage is per organization (issue 15): SCO RATS acknowledging a Kazakhstan alert used to acknowledge it
 * for the whole network, and kaz-ct then got CONFLICT. Each organization now has its own state (NEW →
 * ACKNOWLEDGED → IN_REVIEW → ESCALATED | DISMISSED | CLOSED), assignee and notes; every write is one
 * transaction with its audit entry. HTTP, real tokens.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let raiser: Awaited<ReturnType<typeof alertRaiser>>;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited' });
  raiser = await alertRaiser(api, idp);
});
afterAll(() => api?.stop());

const ACK = `mutation($id: String!, $note: String!) { acknowledgeAlert(id: $id, note: $note) { id status acknowledgedByOrganizationId acknowledgementNote triage { state } } }`;
const STEP = `mutation($id: String!, $state: TriageState!, $note: String!) { triageAlert(id: $id, state: $state, note: $note) { id status triage { state nextStates escalatedAt } } }`;
const ASSIGN = `mutation($id: String!, $person: String, $org: String) { assignAlert(id: $id, person: $person, organizationId: $org) { triage { assignee } } }`;
const NOTE = `mutation($id: String!, $note: String!) { noteAlert(id: $id, note: $note) { triage { notes { text state author } } } }`;
const TRIAGE = `query { alerts(first: 100, filter: { includeSuperseded: true, periodFrom: "2040-01" }) { edges { node { id status
  acknowledgedByOrganizationId acknowledgementNote triage { state assignee nextStates updatedAt notes { text state author } } } } } }`;

async function triageOf(org: string, id: string) {
  const r = await gql(api.url, TRIAGE, {}, await bearer(idp, org));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.alerts.edges.map((e: { node: { id: string } }) => e.node).find((n: { id: string }) => n.id === id);
}

async function step(org: string, id: string, state: string, note = `${org}: ${state}`) {
  return gql(api.url, STEP, { id, state, note }, await bearer(idp, org));
}

describe('two organizations triage the same alert independently', () => {
  it('SCO RATS acknowledges a Kazakhstan alert, then kaz-ct acknowledges it too (no CONFLICT); each sees its own', async () => {
    const id = await raiser.raise(2040);
    const sco = await gql(api.url, ACK, { id, note: 'Seen at RATS, cross-checking with our border desk' }, await bearer(idp, 'sco-rats'));
    expect(sco.errors).toBeUndefined();
    expect(sco.data!.acknowledgeAlert).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedByOrganizationId: 'sco-rats', triage: { state: 'ACKNOWLEDGED' } });

    const kaz = await gql(api.url, ACK, { id, note: 'Our field office confirms the count' }, await bearer(idp, 'kaz-ct'));
    expect(kaz.errors).toBeUndefined();
    expect(kaz.data!.acknowledgeAlert).toEqual({
      id,
      status: 'ACKNOWLEDGED',
      acknowledgedByOrganizationId: 'kaz-ct',
      acknowledgementNote: 'Our field office confirms the count',
      triage: { state: 'ACKNOWLEDGED' },
    });

    // SCO RATS moves on; kaz-ct's triage stays where kaz-ct left it.
    expect((await step('sco-rats', id, 'IN_REVIEW')).data!.triageAlert.triage.state).toBe('IN_REVIEW');
    expect(await triageOf('kaz-ct', id)).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledgementNote: 'Our field office confirms the count',
      triage: { state: 'ACKNOWLEDGED', notes: [{ text: 'Our field office confirms the count', state: 'ACKNOWLEDGED', author: 'sample:kaz-ct:analyst-1' }] },
    });
    expect((await triageOf('sco-rats', id)).triage.state).toBe('IN_REVIEW');
    // A third organization: untouched, and nothing of the others shows.
    expect(await triageOf('uzb-ct', id)).toEqual({
      id,
      status: 'OPEN',
      acknowledgedByOrganizationId: null,
      acknowledgementNote: null,
      triage: { state: 'NEW', assignee: null, nextStates: ['ACKNOWLEDGED'], updatedAt: null, notes: [] },
    });
    // Acknowledging twice is the organization's own conflict, told without naming anyone else.
    const again = await gql(api.url, ACK, { id, note: 'again' }, await bearer(idp, 'kaz-ct'));
    expect(codeOf(again)).toBe('CONFLICT');
    expect(again.errors![0]!.message).not.toMatch(/sco-rats|SCO/i);
    expect(again.errors![0]!.extensions).toMatchObject({ field: 'id', state: 'ACKNOWLEDGED', allowed: ['IN_REVIEW'] });
  });
});

describe('transitions', () => {
  it('NEW → ACKNOWLEDGED → IN_REVIEW → ESCALATED → CLOSED, reopened to IN_REVIEW → DISMISSED, reopened again', async () => {
    const id = await raiser.raise(2041);
    const path = ['ACKNOWLEDGED', 'IN_REVIEW', 'ESCALATED', 'CLOSED', 'IN_REVIEW', 'DISMISSED', 'IN_REVIEW'];
    for (const state of path) {
      const r = await step('kaz-ct', id, state);
      expect(r.errors, `${state}: ${JSON.stringify(r.errors)}`).toBeUndefined();
      expect(r.data!.triageAlert.triage.state).toBe(state);
    }
    const final = await triageOf('kaz-ct', id);
    expect(final.triage.nextStates).toEqual(['ESCALATED', 'DISMISSED', 'CLOSED']);
    // The thread holds every step, newest first, each with its note.
    expect(final.triage.notes.map((n: { state: string }) => n.state)).toEqual([...path].reverse());
  });

  it('refuses a step the state does not allow: CONFLICT naming `state` and the allowed next states', async () => {
    const id = await raiser.raise(2042);
    const skip = await step('kaz-ct', id, 'IN_REVIEW');
    expect(codeOf(skip)).toBe('CONFLICT');
    expect(skip.errors![0]!.extensions).toMatchObject({ field: 'state', state: 'NEW', allowed: ['ACKNOWLEDGED'] });
    expect(skip.errors![0]!.message).toMatch(/NEW → IN_REVIEW is not a triage step.*ACKNOWLEDGED/);
    await step('kaz-ct', id, 'ACKNOWLEDGED');
    await step('kaz-ct', id, 'IN_REVIEW');
    await step('kaz-ct', id, 'ESCALATED');
    const dismiss = await step('kaz-ct', id, 'DISMISSED');
    expect(codeOf(dismiss)).toBe('CONFLICT');
    expect(dismiss.errors![0]!.extensions).toMatchObject({ field: 'state', state: 'ESCALATED', allowed: ['CLOSED'] });
    const back = await step('kaz-ct', id, 'NEW');
    expect(back.errors![0]!.extensions).toMatchObject({ field: 'state', allowed: ['CLOSED'] });
    expect((await triageOf('kaz-ct', id)).triage.state).toBe('ESCALATED');
  });

  it('a refused step writes nothing: no note, no audit entry (one transaction)', async () => {
    const id = await raiser.raise(2043);
    const db = api.app.database.db;
    const audits = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(sql`${auditEvents.alertIds} @> array[${id}]::uuid[]`))[0]!.n;
    const notes = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(alertTriageNotes).where(eq(alertTriageNotes.alertId, id)))[0]!.n;
    expect(codeOf(await step('kaz-ct', id, 'CLOSED'))).toBe('CONFLICT');
    expect([await audits(), await notes()]).toEqual([0, 0]);
    await step('kaz-ct', id, 'ACKNOWLEDGED');
    expect([await audits(), await notes()]).toEqual([1, 1]);
  });

  it('triage writes are the analyst role; an alert the organization may not see is NOT_FOUND, like a missing one', async () => {
    const id = await raiser.raise(2044);
    const contributor = await gql(api.url, STEP, { id, state: 'ACKNOWLEDGED', note: 'x' }, await bearer(idp, 'kaz-ct', ['contributor']));
    expect(codeOf(contributor)).toBe('FORBIDDEN');
    const anonymous = await gql(api.url, STEP, { id, state: 'ACKNOWLEDGED', note: 'x' });
    expect(codeOf(anonymous)).toBe('FORBIDDEN');

    const hidden = await raiser.raise(2045, 'AMBER_STRICT');
    const refused = await step('uzb-ct', hidden, 'ACKNOWLEDGED');
    const missing = await step('uzb-ct', '00000000-0000-4000-8000-000000000000', 'ACKNOWLEDGED');
    expect(codeOf(refused)).toBe('NOT_FOUND');
    expect(refused.errors![0]!.message).toBe(missing.errors![0]!.message);
    expect((await step('kaz-ct', hidden, 'ACKNOWLEDGED')).errors).toBeUndefined();
  });
});

describe('superseded alerts', () => {
  it('can only be closed (from any state but CLOSED), never reopened; other steps are refused', async () => {
    const open = await raiser.raise(2046);
    const untouched = await raiser.raise(2047);
    await step('kaz-ct', open, 'ACKNOWLEDGED');
    await step('kaz-ct', open, 'IN_REVIEW');
    await raiser.correct(2046);
    await raiser.correct(2047);
    const before = await triageOf('kaz-ct', open);
    expect(before).toMatchObject({ status: 'SUPERSEDED', triage: { state: 'IN_REVIEW', nextStates: ['CLOSED'] } });

    const escalate = await step('kaz-ct', open, 'ESCALATED');
    expect(codeOf(escalate)).toBe('CONFLICT');
    expect(escalate.errors![0]!.message).toMatch(/superseded/);
    expect(escalate.errors![0]!.extensions).toMatchObject({ field: 'state', state: 'IN_REVIEW', allowed: ['CLOSED'] });
    expect((await step('kaz-ct', open, 'CLOSED')).data!.triageAlert.triage).toMatchObject({ state: 'CLOSED', nextStates: [] });
    const reopen = await step('kaz-ct', open, 'IN_REVIEW');
    expect(codeOf(reopen)).toBe('CONFLICT');
    expect(reopen.errors![0]!.extensions).toMatchObject({ state: 'CLOSED', allowed: [] });

    // Straight from NEW: a superseded alert nobody looked at is closed in one step; acknowledging it is refused.
    expect(codeOf(await gql(api.url, ACK, { id: untouched, note: 'late' }, await bearer(idp, 'kaz-ct')))).toBe('CONFLICT');
    expect((await step('kaz-ct', untouched, 'CLOSED')).data!.triageAlert.triage.state).toBe('CLOSED');
    // A note may still be added to the record.
    expect((await gql(api.url, NOTE, { id: open, note: 'Closed: the February figure was corrected' }, await bearer(idp, 'kaz-ct'))).errors).toBeUndefined();
  });
});

describe('assignee', () => {
  it('a person of the organization may be assigned; a person named with another organization is refused', async () => {
    const id = await raiser.raise(2048);
    const kaz = await bearer(idp, 'kaz-ct');
    const assigned = await gql(api.url, ASSIGN, { id, person: 'sample:kaz-ct:analyst-2', org: 'kaz-ct' }, kaz);
    expect(assigned.errors).toBeUndefined();
    expect(assigned.data!.assignAlert.triage.assignee).toBe('sample:kaz-ct:analyst-2');

    const outside = await gql(api.url, ASSIGN, { id, person: 'sample:sco-rats:analyst-1', org: 'sco-rats' }, kaz);
    expect(codeOf(outside)).toBe('BAD_USER_INPUT');
    expect(outside.errors![0]!.extensions!.field).toBe('organizationId');
    expect(outside.errors![0]!.message).toMatch(/own organization \(kaz-ct\)/);
    // The same `sub` at another organization is another person: the organization must be named.
    const unnamed = await gql(api.url, ASSIGN, { id, person: 'sample:kaz-ct:analyst-3' }, kaz);
    expect(codeOf(unnamed)).toBe('BAD_USER_INPUT');
    expect(unnamed.errors![0]!.extensions!.field).toBe('organizationId');
    expect((await triageOf('kaz-ct', id)).triage.assignee).toBe('sample:kaz-ct:analyst-2');

    // assignedToMe and triageState filter the organization's own queue.
    const QUEUE = `query($filter: AlertFilter) { alerts(first: 100, filter: $filter) { totalCount edges { node { id } } } }`;
    const queue = async (who: string, filter: Record<string, unknown>) =>
      (await gql(api.url, QUEUE, { filter: { periodFrom: '2048-01', periodTo: '2048-12', ...filter } }, await bearer(idp, 'kaz-ct', ['analyst'], who))).data!.alerts;
    expect((await queue('analyst-2', { assignedToMe: true })).edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
    expect((await queue('analyst-1', { assignedToMe: true })).totalCount).toBe(0);
    expect((await queue('analyst-1', { assignedToMe: false })).edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
    await step('kaz-ct', id, 'ACKNOWLEDGED');
    expect((await queue('analyst-2', { triageState: ['ACKNOWLEDGED', 'IN_REVIEW'], assignedToMe: true })).totalCount).toBe(1);
    expect((await queue('analyst-2', { triageState: ['NEW'] })).totalCount).toBe(0);

    // Unassigned: neither person nor organization.
    expect((await gql(api.url, ASSIGN, { id }, kaz)).data!.assignAlert.triage.assignee).toBeNull();
    expect((await queue('analyst-2', { assignedToMe: true })).totalCount).toBe(0);
  });

  it('triage filters need an organization: an anonymous caller is refused, naming the argument', async () => {
    const r = await gql(api.url, `{ alerts(first: 5, filter: { triageState: [NEW] }) { totalCount } }`);
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect(r.errors![0]!.extensions!.field).toBe('filter.triageState');
  });
});

describe('audit', () => {
  it('each triage write has its audit entry: who, which alert, which mutation, never the note', async () => {
    const id = await raiser.raise(2049);
    const kaz = await bearer(idp, 'kaz-ct');
    await gql(api.url, ACK, { id, note: 'secret-ack-note' }, kaz);
    await gql(api.url, STEP, { id, state: 'IN_REVIEW', note: 'secret-step-note' }, kaz);
    await gql(api.url, ASSIGN, { id, person: 'sample:kaz-ct:analyst-1', org: 'kaz-ct' }, kaz);
    await gql(api.url, NOTE, { id, note: 'secret-thread-note' }, kaz);
    const AUDIT = `{ auditEvents(first: 50, filter: { actorOrganization: "kaz-ct", kind: "WRITE" }) { edges { node { action actorSub alertIds reason } } } }`;
    const r = await gql(api.url, AUDIT, {}, await bearer(idp, 'unoct', ['auditor']));
    expect(r.errors).toBeUndefined();
    const entries = r.data!.auditEvents.edges.map((e: { node: { alertIds: string[] } }) => e.node).filter((n: { alertIds: string[] }) => n.alertIds.includes(id));
    expect(entries.map((e: { action: string }) => e.action).sort()).toEqual(['acknowledgeAlert', 'assignAlert', 'noteAlert', 'triageAlert']);
    expect(entries.every((e: { actorSub: string; reason: string | null }) => e.actorSub === 'sample:kaz-ct:analyst-1' && e.reason === null)).toBe(true);
    expect(JSON.stringify(r.data)).not.toMatch(/secret-/);
  });
});
