import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/audit.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Guards on report writes (issue 15): what the schema promises is what the API accepts, a retry of
 * createReport never makes a second report, and a tearline says which language it is written in.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const as = async (org: string, roles: string[], sub = `sample:${org}:analyst-1`) => ({ authorization: `Bearer ${await idp.sign({ sub, org, roles })}` });
const kaz = () => as('kaz-ct', ['contributor']);
const firstError = (r: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => r.errors?.[0];

const CREATE = `mutation($input: CreateReportInput!, $key: String) { createReport(input: $input, idempotencyKey: $key) { id title revision } }`;
const UPDATE = `mutation($id: UUID!, $input: UpdateReportInput!) { updateReport(id: $id, expectedRevision: 1, input: $input) { id topics } }`;

async function reportCount() {
  const [row] = await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(reports);
  return row!.n;
}

describe('what the schema says, the API enforces', () => {
  it('topics: [] is refused (the schema says 1 to 10), on create and on update, the field named, nothing written', async () => {
    const before = await reportCount();
    const created = await gql(api.url, CREATE, { input: reportDraft({ topics: [] }) }, await kaz());
    expect(firstError(created)).toMatchObject({ message: expect.stringMatching(/topics must hold 1 to 10 themes/), extensions: { code: 'BAD_USER_INPUT' } });
    expect(await reportCount()).toBe(before);

    const ok = await gql(api.url, CREATE, { input: reportDraft() }, await kaz());
    expect(ok.errors).toBeUndefined();
    const updated = await gql(api.url, UPDATE, { id: ok.data!.createReport.id, input: { topics: [] } }, await kaz());
    expect(firstError(updated)).toMatchObject({ message: expect.stringMatching(/topics must hold 1 to 10 themes/), extensions: { code: 'BAD_USER_INPUT' } });
    const eleven = await gql(api.url, CREATE, { input: reportDraft({ topics: Array(11).fill('ONLINE_PROPAGANDA') }) }, await kaz());
    expect(firstError(eleven)?.message).toMatch(/topics must hold 1 to 10 themes/);
  });

  it('publishedAt in the future is refused with the field named (it would top every newest-first list); the past is accepted', async () => {
    const before = await reportCount();
    const future = await gql(api.url, CREATE, { input: reportDraft({ publishedAt: '2030-01-01T00:00:00Z' }) }, await kaz());
    expect(firstError(future)).toMatchObject({ message: expect.stringMatching(/in the future/), extensions: { code: 'BAD_USER_INPUT', field: 'input.publishedAt' } });
    expect(await reportCount()).toBe(before);
    // A minute ahead is clock skew, not a future date.
    const skew = await gql(api.url, CREATE, { input: reportDraft({ publishedAt: new Date(Date.now() + 60_000).toISOString() }) }, await kaz());
    expect(skew.errors).toBeUndefined();
    const past = await gql(api.url, CREATE, { input: reportDraft({ publishedAt: '2024-03-01T09:00:00Z' }) }, await kaz());
    expect(past.errors).toBeUndefined();
  });
});

describe('createReport with an idempotency key', () => {
  const writes = async (id: string) =>
    api.app.database.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.kind, 'WRITE'), sql`${auditEvents.reportIds} @> array[${id}]::uuid[]`));

  it('the same key and report again returns the first report and writes nothing; one audit entry', async () => {
    const input = reportDraft({ title: 'Idempotent report, first try' });
    const first = await gql(api.url, CREATE, { input, key: 'report-retry-0001' }, await kaz());
    expect(first.errors).toBeUndefined();
    const before = await reportCount();
    const again = await gql(api.url, CREATE, { input, key: 'report-retry-0001' }, await kaz());
    expect(again.errors).toBeUndefined();
    expect(again.data!.createReport).toEqual(first.data!.createReport);
    expect(await reportCount()).toBe(before);
    expect(await writes(first.data!.createReport.id)).toEqual([{ action: 'createReport' }]);
  });

  it('concurrent twins (a client retrying before the first answer) make one report', async () => {
    const input = reportDraft({ title: 'Idempotent report, concurrent' });
    const before = await reportCount();
    const answers = await Promise.all([1, 2, 3].map(async () => gql(api.url, CREATE, { input, key: 'report-twins-0001' }, await kaz())));
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(new Set(answers.map((a) => a.data!.createReport.id)).size).toBe(1);
    expect(await reportCount()).toBe(before + 1);
  });

  it('the key with another report, or sent by another person of the organization, is CONFLICT and writes nothing', async () => {
    const input = reportDraft({ title: 'Idempotent report, original' });
    expect((await gql(api.url, CREATE, { input, key: 'report-conflict-01' }, await kaz())).errors).toBeUndefined();
    const before = await reportCount();
    const other = await gql(api.url, CREATE, { input: { ...input, title: 'Another report' }, key: 'report-conflict-01' }, await kaz());
    expect(firstError(other)).toMatchObject({ message: expect.stringMatching(/different report/), extensions: { code: 'CONFLICT', field: 'idempotencyKey' } });
    // A colleague's retry with the same key: never another person's report (it may be RED).
    const colleague = await gql(api.url, CREATE, { input, key: 'report-conflict-01' }, await as('kaz-ct', ['contributor'], 'sample:kaz-ct:analyst-2'));
    expect(firstError(colleague)?.extensions?.code).toBe('CONFLICT');
    expect(await reportCount()).toBe(before);
  });

  it('a key of 7 characters is BAD_USER_INPUT naming idempotencyKey; without a key two calls make two reports', async () => {
    const short = await gql(api.url, CREATE, { input: reportDraft(), key: 'short-7' }, await kaz());
    expect(firstError(short)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' } });
    const before = await reportCount();
    await gql(api.url, CREATE, { input: reportDraft() }, await kaz());
    await gql(api.url, CREATE, { input: reportDraft() }, await kaz());
    expect(await reportCount()).toBe(before + 2);
  });
});

describe('a tearline in another language than its source', () => {
  const TEARLINE = `mutation($src: UUID!, $lang: Lang, $title: String!) {
    createTearline(sourceReportId: $src, marking: GREEN, title: $title, summary: "What may be shared.", releaseReason: "Agreed with the source", language: $lang) { id language } }`;
  const stored = async (id: string) =>
    (await api.app.database.db.select({ titleEn: reports.titleEn, titleRu: reports.titleRu, language: reports.language }).from(reports).where(eq(reports.id, id)))[0];

  it('takes language as an argument (an English tearline of a Russian report), defaulting to the source’s; the title is stored as that language’s', async () => {
    const admin = await as('kaz-ct', ['contributor', 'org-admin']);
    const source = await gql(api.url, CREATE, { input: reportDraft({ title: null, titleRu: 'Каналы вербовки', language: 'RU', tlp: 'AMBER' }) }, admin);
    expect(source.errors).toBeUndefined();
    const src = source.data!.createReport.id;
    const english = await gql(api.url, TEARLINE, { src, lang: 'EN', title: 'Recruitment channels, releasable' }, admin);
    expect(english.errors).toBeUndefined();
    expect(english.data!.createTearline.language).toBe('EN');
    expect(await stored(english.data!.createTearline.id)).toEqual({ titleEn: 'Recruitment channels, releasable', titleRu: null, language: 'en' });
    const inherited = await gql(api.url, TEARLINE, { src, title: 'Каналы вербовки, для передачи' }, admin);
    expect(inherited.errors).toBeUndefined();
    expect(inherited.data!.createTearline.language).toBe('RU');
    expect(await stored(inherited.data!.createTearline.id)).toEqual({ titleEn: null, titleRu: 'Каналы вербовки, для передачи', language: 'ru' });
  });
});
