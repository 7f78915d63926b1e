import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/audit.js';
import { reports, reportVersions } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { reportDraft } from './support/drafts.js';

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

async function as(org: string, roles: string[], sub = `sample:${org}:analyst-1`) {
  return { authorization: `Bearer ${await idp.sign({ sub, org, roles })}` };
}
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id title revision tlp author { id } countries { iso3 } indicators { code } } }`;
const UPDATE = `mutation($id: UUID!, $rev: Int!, $input: UpdateReportInput!) { updateReport(id: $id, expectedRevision: $rev, input: $input) { id title revision summary updatedAt } }`;
const READ = `query($id: UUID!) { report(id: $id) { id title revision retractedAt retractionReason tearlineOf { id } tearlines { id tlp } } }`;

const draft = (over: Record<string, unknown> = {}) => reportDraft({ indicators: ['OP-01'], ...over });

async function reportCount() {
  const [row] = await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(reports);
  return row!.n;
}

describe('writing reports', () => {
  it('a contributor publishes a report of its organization, audited in the same transaction', async () => {
    const created = await gql(api.url, CREATE, { input: draft() }, await as('kaz-ct', ['contributor']));
    expect(created.errors).toBeUndefined();
    expect(created.data!.createReport).toMatchObject({ revision: 1, tlp: 'GREEN', author: { id: 'kaz-ct' }, countries: [{ iso3: 'KAZ' }], indicators: [{ code: 'OP-01' }] });
    const [entry] = await api.app.database.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.kind, 'WRITE'), sql`${auditEvents.reportIds} @> array[${created.data!.createReport.id}]::uuid[]`));
    expect(entry).toEqual({ action: 'createReport' });
  });

  it('is refused without the contributor role, for TLP:CLEAR without org-admin, and for unknown references; nothing is written', async () => {
    const before = await reportCount();
    expect(code(await gql(api.url, CREATE, { input: draft() }, await as('sco-rats', ['analyst'])))).toBe('FORBIDDEN');
    expect(code(await gql(api.url, CREATE, { input: draft() }))).toBe('FORBIDDEN');
    const clear = await gql(api.url, CREATE, { input: draft({ tlp: 'CLEAR' }) }, await as('kaz-ct', ['contributor']));
    expect(code(clear)).toBe('BAD_USER_INPUT');
    expect(clear.errors![0]!.message).toMatch(/org-admin/);
    const unknown = await gql(api.url, CREATE, { input: draft({ countries: ['KAZ', 'XYZ'] }) }, await as('kaz-ct', ['contributor']));
    expect(unknown.errors![0]).toMatchObject({ message: expect.stringMatching(/Unknown country code\(s\): XYZ/), extensions: { code: 'BAD_USER_INPUT', field: 'input.countries' } });
    const badRef = await gql(api.url, CREATE, { input: draft({ sanctionsReferences: ['QDi.912', 'DROP TABLE'] }) }, await as('kaz-ct', ['contributor']));
    expect(code(badRef)).toBe('BAD_USER_INPUT');
    expect(await reportCount()).toBe(before);
    const released = await gql(api.url, CREATE, { input: draft({ tlp: 'CLEAR' }) }, await as('kaz-ct', ['contributor', 'org-admin']));
    expect(released.errors).toBeUndefined();
  });

  it('updates write a new revision, keep the old one, and refuse a stale expectedRevision with CONFLICT', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const { id } = (await gql(api.url, CREATE, { input: draft() }, kaz)).data!.createReport;
    const first = await gql(api.url, UPDATE, { id, rev: 1, input: { summary: 'Revised summary.' } }, kaz);
    expect(first.data!.updateReport).toMatchObject({ revision: 2, summary: 'Revised summary.', title: 'Recruitment channels on messaging apps' });
    const stale = await gql(api.url, UPDATE, { id, rev: 1, input: { summary: 'Lost update' } }, kaz);
    expect(stale.errors![0]).toMatchObject({ extensions: { code: 'CONFLICT', currentRevision: 2 } });
    const versions = await api.app.database.db.select().from(reportVersions).where(eq(reportVersions.reportId, id));
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ revision: 1, snapshot: expect.objectContaining({ summary: 'Observed recruitment channels, first quarter.' }) });
    expect(code(await gql(api.url, UPDATE, { id, rev: 2, input: { summary: 'x' } }, await as('uzb-ct', ['contributor'])))).toBe('FORBIDDEN');
  });

  it('a hidden report cannot be changed, and looks missing', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const { id } = (await gql(api.url, CREATE, { input: draft({ tlp: 'AMBER_STRICT' }) }, kaz)).data!.createReport;
    const other = await gql(api.url, UPDATE, { id, rev: 1, input: { summary: 'x' } }, await as('uzb-ct', ['contributor']));
    const missing = await gql(api.url, UPDATE, { id: '00000000-0000-4000-8000-000000000009', rev: 1, input: { summary: 'x' } }, await as('uzb-ct', ['contributor']));
    expect(code(other)).toBe('NOT_FOUND');
    expect(other.errors![0]!.message).toBe(missing.errors![0]!.message);
  });

  it('retraction keeps the report readable as retracted, out of lists, and frozen', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const { id } = (await gql(api.url, CREATE, { input: draft({ title: 'Report to be retracted' }) }, kaz)).data!.createReport;
    const retracted = await gql(api.url, 'mutation($id: UUID!) { retractReport(id: $id, reason: "Source withdrew") { retractedAt retractionReason } }', { id }, kaz);
    expect(retracted.data!.retractReport).toMatchObject({ retractedAt: expect.any(String), retractionReason: 'Source withdrew' });
    const read = await gql(api.url, READ, { id }, kaz);
    expect(read.data!.report.retractedAt).not.toBeNull();
    const list = async (includeRetracted: boolean) =>
      (await gql(api.url, 'query($f: ReportFilter) { reports(first: 100, filter: $f) { edges { node { id } } } }', { f: { author: 'kaz-ct', search: 'retracted', includeRetracted } }, kaz)).data!.reports.edges.map(
        (e: { node: { id: string } }) => e.node.id,
      );
    expect(await list(false)).not.toContain(id);
    expect(await list(true)).toContain(id);
    expect(code(await gql(api.url, UPDATE, { id, rev: 1, input: { summary: 'x' } }, kaz))).toBe('CONFLICT');
  });
});

describe('tearlines', () => {
  // A tearline is a release decision: the org-admin, with a reason (test/api.release.test.ts).
  const TEARLINE = `mutation($src: UUID!, $m: Tlp!) { createTearline(sourceReportId: $src, marking: $m, title: "Releasable summary", summary: "What may be shared widely.", releaseReason: "Agreed for partners") { id tlp title } }`;

  it('derive a lower-marking version whose link to the source only those cleared for the source see', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const source = (await gql(api.url, CREATE, { input: draft({ tlp: 'AMBER', sourceDescription: 'Sensitive source', sanctionsReferences: ['QDi.931'] }) }, kaz)).data!.createReport;
    const tearline = await gql(api.url, TEARLINE, { src: source.id, m: 'GREEN' }, await as('kaz-ct', ['contributor', 'org-admin']));
    expect(tearline.errors).toBeUndefined();
    const id = tearline.data!.createTearline.id;

    const byOwner = await gql(api.url, READ, { id }, kaz);
    expect(byOwner.data!.report.tearlineOf).toEqual({ id: source.id });
    const sourceView = await gql(api.url, READ, { id: source.id }, kaz);
    expect(sourceView.data!.report.tearlines).toEqual([{ id, tlp: 'GREEN' }]);

    const rats = await as('sco-rats', ['analyst']);
    const byOther = await gql(api.url, READ, { id }, rats);
    expect(byOther.data!.report.id).toBe(id);
    expect(byOther.data!.report.tearlineOf).toBeNull();
    expect(byOther.errors).toBeUndefined();

    const copied = await gql(api.url, 'query($id: UUID!) { report(id: $id) { sourceDescription sanctionsReferences countries { iso3 } } }', { id }, kaz);
    expect(copied.data!.report).toEqual({ sourceDescription: null, sanctionsReferences: [], countries: [{ iso3: 'KAZ' }] });
  });

  it('must lower the marking', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const source = (await gql(api.url, CREATE, { input: draft({ tlp: 'GREEN' }) }, kaz)).data!.createReport;
    const same = await gql(api.url, TEARLINE, { src: source.id, m: 'GREEN' }, await as('kaz-ct', ['contributor', 'org-admin']));
    expect(same.errors![0]).toMatchObject({ message: expect.stringMatching(/lower than its source/), extensions: { code: 'BAD_USER_INPUT', field: 'marking' } });
  });
});
