import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChanges } from '../src/db/queries/change-feed.js';
import type { ChangeFeedRow } from '../src/db/schema/change-feed.js';
import { copyOfTemplate, gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * The outbox national nodes and the hub read (issue 17), and the TAXII collections are served from (issue
 * 16): every change of a shareable record has its entry, written in the change's transaction, and a
 * reader paging on with the cursor never skips or repeats one, even when transactions commit out of the
 * order they wrote in (entries are read in the order they were published, which follows commits).
 */
let api: TestApp;
let idp: TestIdentityProvider;
let database: { url: string; drop: () => Promise<void> } | undefined;
beforeAll(async () => {
  idp = await createIdentityProvider();
  database = process.env.TEST_DATABASE_URL ? await copyOfTemplate() : undefined;
  api = await startTestApp({ ...idp.env, MAX_FUTURE_PERIODS: 'unlimited', ...(database ? { DATABASE_URL: database.url } : {}) });
});
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

const as = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
async function ok(doc: string, vars: Record<string, unknown>, headers: Record<string, string>) {
  const r = await gql(api.url, doc, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, any>;
}

/** Every change after `after` served now, read in pages of `size`. */
async function readAll(after: string | null, size: number): Promise<{ changes: ChangeFeedRow[]; next: string | null }> {
  const changes: ChangeFeedRow[] = [];
  let cursor = after;
  for (;;) {
    const page = await readChanges(api.app.database.db, cursor, size);
    changes.push(...page.changes);
    cursor = page.next;
    if (page.changes.length < size) return { changes, next: cursor };
  }
}

describe('the change feed', () => {
  it('has an entry for every change of a report, an observation and a grant, in order, paged without repeats', async () => {
    // Every change written so far (the template's none) has been served: start after it.
    const start = (await readAll(null, 1000)).next;
    const writer = await as('kaz-ct', ['contributor', 'org-admin']);
    const { createReport } = await ok(`mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, { input: reportDraft({ tlp: 'AMBER' }) }, writer);
    const id = createReport.id as string;
    await ok(`mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "Corrected." }) { revision } }`, { id }, writer);
    const { shareReport } = await ok(`mutation($id: UUID!) { shareReport(input: { reportId: $id, organizationId: "sco-rats", purpose: "Joint assessment" }) { id } }`, { id }, writer);
    await ok(`mutation($grant: UUID!) { revokeShare(grantId: $grant) { id } }`, { grant: shareReport.id }, writer);
    await ok(`mutation($id: UUID!) { retractReport(id: $id, reason: "Superseded by a joint assessment") { id } }`, { id }, writer);
    const value = (v: number) => ({ input: [{ indicator: 'OP-01', country: 'KAZ', period: '2150-01', value: v, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] });
    const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`;
    const first = (await ok(RECORD, value(10), writer)).recordObservations.observations[0].id;
    const second = (await ok(RECORD, value(12), writer)).recordObservations.observations[0].id;
    // A refused write leaves no entry.
    const refused = await gql(api.url, RECORD, value(-5), writer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { changes } = await readAll(start, 2);
    expect(changes.map((c) => [c.kind, c.recordId, c.revision, c.change, c.originOrgId, c.tlp])).toEqual([
      ['REPORT', id, 1, 'CREATED', 'kaz-ct', 'AMBER'],
      ['REPORT', id, 2, 'REVISED', 'kaz-ct', 'AMBER'],
      ['GRANT', shareReport.id, null, 'SHARED', 'kaz-ct', 'AMBER'],
      ['GRANT', shareReport.id, null, 'REVOKED', 'kaz-ct', 'AMBER'],
      ['REPORT', id, 2, 'RETRACTED', 'kaz-ct', 'AMBER'],
      ['OBSERVATION', first, 1, 'CREATED', 'kaz-ct', 'GREEN'],
      ['OBSERVATION', second, 2, 'REVISED', 'kaz-ct', 'GREEN'],
    ]);
    expect(new Set(changes.map((c) => c.seq)).size).toBe(changes.length);
  });

  it('refuses a forged cursor and a page size out of range, naming the argument', async () => {
    await expect(readChanges(api.app.database.db, 'not-a-cursor', 10)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    const forged = Buffer.from(JSON.stringify(['feed', '1; drop table x', 1])).toString('base64url');
    await expect(readChanges(api.app.database.db, forged, 10)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    await expect(readChanges(api.app.database.db, null, 0)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'limit' } });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('a change that commits after a reader has paged past later ones is served on its next page, once', async () => {
    const start = (await readAll(null, 1000)).next;
    const insert = `insert into change_feed (kind, record_id, subject_kind, subject_id, revision, change, origin_org_id, tlp)
      select 'REPORT', id, 'REPORT', id, 1, 'CREATED', 'kaz-ct', 'GREEN' from (select gen_random_uuid() as id) r returning record_id`;
    const older = new pg.Client({ connectionString: database!.url });
    const newer = new pg.Client({ connectionString: database!.url });
    await Promise.all([older.connect(), newer.connect()]);
    try {
      await older.query('begin');
      const a = (await older.query(insert)).rows[0].record_id as string; // written first (the smaller seq)
      await newer.query('begin');
      const b = (await newer.query(insert)).rows[0].record_id as string;
      await newer.query('commit'); // but committed first
      const early = await readAll(start, 10);
      expect(early.changes.map((c) => c.recordId)).toEqual([b]);
      await older.query('commit');
      const late = await readAll(early.next, 10);
      expect(late.changes.map((c) => c.recordId)).toEqual([a]);
      expect(late.changes[0]!.publishedAt! > early.changes[0]!.publishedAt!).toBe(true);
    } finally {
      await Promise.all([older.end(), newer.end()]);
    }
  });

  it('publication stamps are distinct and grow in the order entries are served', async () => {
    const { changes } = await readAll(null, 1000);
    const stamps = changes.map((c) => c.publishedAt!);
    expect(stamps.every((s) => s !== null)).toBe(true);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort()).toEqual(stamps); // one format, one time zone: text order is time order
  });
});
