import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Report revisions are readable (issue 15): `report { revisions { … } }`, newest first, each earlier
 * revision under the marking it had. The threat: a report lowered from AMBER+STRICT to GREEN handing its
 * new GREEN readers the AMBER+STRICT text it had before the release decision.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const WRITER = 'sample:kaz-ct:analyst-1';
const ADMIN = 'sample:kaz-ct:admin-1';
async function as(org: string, roles: string[] = ['contributor'], sub = `sample:${org}:analyst-1`) {
  return { authorization: `Bearer ${await idp.sign({ sub, org, roles })}` };
}
const writer = () => as('kaz-ct', ['contributor'], WRITER);
const admin = () => as('kaz-ct', ['contributor', 'org-admin'], ADMIN);

const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`;
const UPDATE = `mutation($id: UUID!, $rev: Int!, $input: UpdateReportInput!, $why: String) {
  updateReport(id: $id, expectedRevision: $rev, input: $input, releaseReason: $why) { revision } }`;
const SHARE = `mutation($input: ShareReportInput!) { shareReport(input: $input) { id } }`;
const HISTORY = `query($id: UUID!) { report(id: $id) { revision revisions { revision tlp title summary body language updatedAt } } }`;
const CHANGED_BY = `query($id: UUID!) { report(id: $id) { revisions { revision changedBy } } }`;

async function ok(doc: string, vars: Record<string, unknown>, headers: Record<string, string>) {
  const r = await gql(api.url, doc, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

/** Revision 1 and 2 AMBER+STRICT, 3 lowered to GREEN by the org-admin, 4 a GREEN correction; shared with sco-rats. */
async function loweredReport(): Promise<string> {
  const { createReport } = await ok(CREATE, { input: reportDraft({ tlp: 'AMBER_STRICT', title: 'Strict v1', summary: 'Source names v1.' }) }, await writer());
  const id = createReport.id as string;
  await ok(SHARE, { input: { reportId: id, organizationId: 'sco-rats', purpose: 'Joint assessment' } }, await admin());
  await ok(UPDATE, { id, rev: 1, input: { title: 'Strict v2', summary: 'Source names v2.' } }, await writer());
  await ok(UPDATE, { id, rev: 2, input: { tlp: 'GREEN', title: 'Released v3', summary: 'Releasable summary.' }, why: 'Cleared for the network' }, await admin());
  await ok(UPDATE, { id, rev: 3, input: { summary: 'Releasable summary, corrected.' } }, await writer());
  return id;
}

describe('report revisions', () => {
  let id: string;
  beforeAll(async () => {
    id = await loweredReport();
  });

  it('the originating organization reads every revision, newest first, each with the marking and text it had', async () => {
    const { report } = await ok(HISTORY, { id }, await as('kaz-ct', ['analyst']));
    expect(report.revision).toBe(4);
    expect(report.revisions.map((r: { revision: number; tlp: string; title: string; summary: string }) => [r.revision, r.tlp, r.title, r.summary])).toEqual([
      [4, 'GREEN', 'Released v3', 'Releasable summary, corrected.'],
      [3, 'GREEN', 'Released v3', 'Releasable summary.'],
      [2, 'AMBER_STRICT', 'Strict v2', 'Source names v2.'],
      [1, 'AMBER_STRICT', 'Strict v1', 'Source names v1.'],
    ]);
    const times = report.revisions.map((r: { updatedAt: string }) => Date.parse(r.updatedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('a GREEN reader sees only the revisions written under GREEN: nothing of the AMBER+STRICT text, not even in errors', async () => {
    for (const org of ['uzb-ct', 'csto', 'sc-1267']) {
      const r = await gql(api.url, HISTORY, { id }, await as(org));
      expect(r.errors).toBeUndefined();
      expect(r.data!.report.revisions.map((x: { revision: number }) => x.revision), org).toEqual([4, 3]);
      expect(JSON.stringify(r)).not.toMatch(/Strict v|Source names/);
    }
  });

  it('the grantee of the AMBER+STRICT report read it then, and reads those revisions now', async () => {
    const { report } = await ok(HISTORY, { id }, await as('sco-rats'));
    expect(report.revisions.map((x: { revision: number }) => x.revision)).toEqual([4, 3, 2, 1]);
  });

  it('anonymous sees nothing of a GREEN report, its revisions included', async () => {
    const r = await gql(api.url, HISTORY, { id });
    expect(r.data!.report).toBeNull();
  });

  it('who wrote each revision: the originating organization and auditors; others are refused the field', async () => {
    const expected = [
      { revision: 4, changedBy: WRITER },
      { revision: 3, changedBy: ADMIN },
      { revision: 2, changedBy: WRITER },
      { revision: 1, changedBy: WRITER },
    ];
    expect((await ok(CHANGED_BY, { id }, await as('kaz-ct', ['analyst'], 'sample:kaz-ct:reader-9'))).report.revisions).toEqual(expected);
    expect((await ok(CHANGED_BY, { id }, await as('csto', ['auditor']))).report.revisions).toEqual(expected.slice(0, 2));
    const other = await gql(api.url, CHANGED_BY, { id }, await as('sco-rats'));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(other.data)).not.toContain('sample:kaz-ct');
  });

  it('a report never revised has one revision, written by its author', async () => {
    const { createReport } = await ok(CREATE, { input: reportDraft({ title: 'Only once' }) }, await writer());
    const { report } = await ok(CHANGED_BY, { id: createReport.id }, await writer());
    expect(report.revisions).toEqual([{ revision: 1, changedBy: WRITER }]);
  });

  it('a page of reports with their revisions takes as many statements as a page of one (no N+1)', async () => {
    const q = `query($first: Int) { reports(first: $first, filter: { country: "KAZ" }) { edges { node { id revisions { revision title } } } } }`;
    const headers = await as('kaz-ct', ['analyst']);
    const one = await gql(api.url, q, { first: 1 }, headers);
    const many = await gql(api.url, q, { first: 40 }, headers);
    expect(many.errors).toBeUndefined();
    expect(many.data!.reports.edges.length).toBeGreaterThan(10);
    expect(statementsOf(many)).toBe(statementsOf(one));
  });
});
