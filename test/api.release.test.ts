import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { reportDraft } from './support/drafts.js';

/**
 * Release decisions: lowering a report's marking (an update to a lower TLP, or a tearline under its
 * source's marking) widens who reads it. The threat: a contributor turning RED or AMBER+STRICT material
 * GREEN on its own. Only the originating organization's org-admin may, with a reason kept in the audit entry.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const SUB = 'sample:kaz-ct:analyst-1';
async function as(org: string, roles: string[], sub = `sample:${org}:analyst-1`) {
  return { authorization: `Bearer ${await idp.sign({ sub, org, roles })}` };
}
type Response = Awaited<ReturnType<typeof gql>>;
const firstError = (r: Response) => r.errors?.[0];

const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id revision tlp } }`;
const UPDATE = `mutation($id: UUID!, $rev: Int!, $input: UpdateReportInput!, $why: String) {
  updateReport(id: $id, expectedRevision: $rev, input: $input, releaseReason: $why) { id revision tlp } }`;
// Without the new argument, as a client written before release decisions sends them.
const UPDATE_PLAIN = `mutation($id: UUID!, $rev: Int!, $input: UpdateReportInput!) { updateReport(id: $id, expectedRevision: $rev, input: $input) { id revision tlp } }`;
const TEARLINE_PLAIN = `mutation($src: UUID!, $m: Tlp!) { createTearline(sourceReportId: $src, marking: $m, title: "Releasable summary", summary: "What may be shared widely.") { id tlp } }`;
const TEARLINE = `mutation($src: UUID!, $m: Tlp!, $why: String) {
  createTearline(sourceReportId: $src, marking: $m, title: "Releasable summary", summary: "What may be shared widely.", releaseReason: $why) { id tlp } }`;
const RETRACT = `mutation($id: UUID!, $reason: String!) { retractReport(id: $id, reason: $reason) { retractedAt retractionReason } }`;
const AUDIT = `query($id: String!) { auditEvents(first: 20, filter: { reportId: $id, kind: "WRITE" }) { edges { node { action actorSub reason reportIds } } } }`;

const draft = (tlp: string) => reportDraft({ tlp });

const contributor = () => as('kaz-ct', ['contributor'], SUB);
const orgAdmin = () => as('kaz-ct', ['contributor', 'org-admin'], SUB);

async function create(tlp: string): Promise<string> {
  const created = await gql(api.url, CREATE, { input: draft(tlp) }, await contributor());
  expect(created.errors).toBeUndefined();
  return created.data!.createReport.id;
}
async function stored(id: string) {
  const [row] = await api.app.database.db.select({ tlp: reports.tlp, revision: reports.revision, retractedAt: reports.retractedAt }).from(reports).where(eq(reports.id, id));
  return row;
}
async function tearlinesOf(id: string) {
  return api.app.database.db.select({ id: reports.id }).from(reports).where(eq(reports.tearlineOf, id));
}
async function writeEntries(id: string) {
  const r = await gql(api.url, AUDIT, { id }, await as('csto', ['auditor']));
  expect(r.errors).toBeUndefined();
  return r.data!.auditEvents.edges.map((e: { node: Record<string, unknown> }) => e.node);
}

describe('lowering a marking with updateReport is a release decision', () => {
  it('a contributor without org-admin cannot lower its own RED report to GREEN (nor AMBER+STRICT to AMBER, AMBER to GREEN, GREEN to CLEAR); nothing changes', async () => {
    for (const [from, to] of [['RED', 'GREEN'], ['AMBER_STRICT', 'AMBER'], ['AMBER', 'GREEN'], ['GREEN', 'CLEAR']] as const) {
      const id = await create(from);
      for (const [doc, vars] of [[UPDATE_PLAIN, {}], [UPDATE, { why: 'Cleared for release' }]] as const) {
        const r = await gql(api.url, doc, { id, rev: 1, input: { tlp: to }, ...vars }, await contributor());
        expect(firstError(r), `${from} → ${to}`).toMatchObject({ message: expect.stringMatching(/release decision.*org-admin/), extensions: { code: 'FORBIDDEN' } });
      }
      expect(await stored(id)).toMatchObject({ tlp: from, revision: 1 });
    }
  });

  it("the originating organization's org-admin lowers it only with a releaseReason (BAD_USER_INPUT without), recorded in the audit entry", async () => {
    const id = await create('RED');
    for (const why of [undefined, null, '', '   ']) {
      const r = await gql(api.url, UPDATE, { id, rev: 1, input: { tlp: 'GREEN' }, why }, await orgAdmin());
      expect(firstError(r), JSON.stringify(why)).toMatchObject({ message: expect.stringMatching(/releaseReason/), extensions: { code: 'BAD_USER_INPUT', field: 'releaseReason' } });
    }
    expect(await stored(id)).toMatchObject({ tlp: 'RED', revision: 1 });

    const released = await gql(api.url, UPDATE, { id, rev: 1, input: { tlp: 'GREEN' }, why: 'Source consented to network-wide sharing' }, await orgAdmin());
    expect(released.errors).toBeUndefined();
    expect(released.data!.updateReport).toMatchObject({ tlp: 'GREEN', revision: 2 });
    expect(await writeEntries(id)).toContainEqual({ action: 'updateReport', actorSub: SUB, reason: 'Source consented to network-wide sharing', reportIds: [id] });
  });

  it('raising or keeping the marking stays the contributor\'s call and takes no releaseReason', async () => {
    const id = await create('GREEN');
    const raised = await gql(api.url, UPDATE, { id, rev: 1, input: { tlp: 'RED' } }, await contributor());
    expect(raised.errors).toBeUndefined();
    expect(raised.data!.updateReport).toMatchObject({ tlp: 'RED', revision: 2 });
    const kept = await gql(api.url, UPDATE, { id, rev: 2, input: { tlp: 'RED', summary: 'Same marking.' } }, await contributor());
    expect(kept.errors).toBeUndefined();
    const stray = await gql(api.url, UPDATE, { id, rev: 3, input: { summary: 'No release here.' }, why: 'Not a release' }, await orgAdmin());
    expect(firstError(stray)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'releaseReason' } });
    expect(await stored(id)).toMatchObject({ tlp: 'RED', revision: 3 });
  });

  it('refuses a releaseReason over 2,000 characters, naming the limit', async () => {
    const id = await create('AMBER');
    const r = await gql(api.url, UPDATE, { id, rev: 1, input: { tlp: 'GREEN' }, why: 'x'.repeat(2001) }, await orgAdmin());
    expect(firstError(r)).toMatchObject({ message: expect.stringMatching(/2,?000/), extensions: { code: 'BAD_USER_INPUT', field: 'releaseReason' } });
    expect(await stored(id)).toMatchObject({ tlp: 'AMBER', revision: 1 });
  });
});

describe('a tearline is a release decision', () => {
  it('a contributor without org-admin cannot publish a GREEN tearline of an AMBER+STRICT report; nothing is written', async () => {
    const id = await create('AMBER_STRICT');
    for (const [doc, vars] of [[TEARLINE_PLAIN, {}], [TEARLINE, { why: 'Releasable part' }]] as const) {
      const r = await gql(api.url, doc, { src: id, m: 'GREEN', ...vars }, await contributor());
      expect(firstError(r)).toMatchObject({ message: expect.stringMatching(/release decision.*org-admin/), extensions: { code: 'FORBIDDEN' } });
    }
    expect(await tearlinesOf(id)).toEqual([]);
  });

  it('the org-admin publishes it only with a releaseReason, kept in the audit entry of the tearline', async () => {
    const id = await create('AMBER_STRICT');
    const missing = await gql(api.url, TEARLINE, { src: id, m: 'GREEN' }, await orgAdmin());
    expect(firstError(missing)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'releaseReason' } });
    expect(await tearlinesOf(id)).toEqual([]);

    const ok = await gql(api.url, TEARLINE, { src: id, m: 'GREEN', why: 'Summary agreed with the source for partners' }, await orgAdmin());
    expect(ok.errors).toBeUndefined();
    const tearline = ok.data!.createTearline.id;
    expect(await writeEntries(id)).toContainEqual({ action: 'createTearline', actorSub: SUB, reason: 'Summary agreed with the source for partners', reportIds: [tearline, id] });
  });
});

describe('retraction reason', () => {
  it('a 10,001-character reason is refused with the limit in the message, not cut to 2,000; the report stays unretracted', async () => {
    const id = await create('GREEN');
    const r = await gql(api.url, RETRACT, { id, reason: 'x'.repeat(10_001) }, await contributor());
    expect(firstError(r)).toMatchObject({ message: expect.stringMatching(/2,?000/), extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    expect((await stored(id))?.retractedAt).toBeNull();
    const blank = await gql(api.url, RETRACT, { id, reason: '  ' }, await contributor());
    expect(firstError(blank)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });

    const exact = await gql(api.url, RETRACT, { id, reason: 'y'.repeat(2000) }, await contributor());
    expect(exact.errors).toBeUndefined();
    expect(exact.data!.retractReport.retractionReason).toHaveLength(2000);
    expect(await writeEntries(id)).toContainEqual({ action: 'retractReport', actorSub: SUB, reason: 'y'.repeat(2000), reportIds: [id] });
  });
});
