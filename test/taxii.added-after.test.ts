import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportIdOf } from '../src/stix/report.js';
import { copyOfTemplate, gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

/**
 * A TAXII client that polls with `added_after` (the last `date_added` it saw), as MISP and OpenCTI feeds
 * do, gets every version once: none skipped when a write commits after the client has read past later
 * ones, none repeated, and a report shared with the client's organization comes as news. date_added is the
 * publication stamp of the record's latest change (src/db/queries/change-feed.ts).
 */
const TAXII = 'application/taxii+json;version=2.1';
let api: TestApp;
let idp: TestIdentityProvider;
let database: { url: string; drop: () => Promise<void> } | undefined;
let reportsPath: string;
beforeAll(async () => {
  idp = await createIdentityProvider();
  database = process.env.TEST_DATABASE_URL ? await copyOfTemplate() : undefined;
  api = await startTestApp({ ...idp.env, ...(database ? { DATABASE_URL: database.url } : {}) });
  const list = await taxii('/taxii2/ctewn/collections/', 'anonymous');
  reportsPath = `/taxii2/ctewn/collections/${list.body.collections.find((c: { title: string }) => c.title === 'CT-EWN reports').id}`;
}, 180_000);
afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

async function taxii(path: string, persona: PersonaName) {
  const response = await fetch(`${api.url}${path}`, { headers: { accept: TAXII, ...(await headersFor(idp, persona)) } });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return { headers: response.headers, body: text ? JSON.parse(text) : {} };
}

interface Seen {
  id: string;
  modified: string;
  dateAdded: string;
}

/**
 * A polling client: pages of `limit`, each asked with added_after = the last date_added it has seen,
 * starting from now (what was published before is not this test's business).
 */
function client(persona: PersonaName, limit: number) {
  let addedAfter: string | null = new Date().toISOString();
  const seen: Seen[] = [];
  return {
    seen,
    /** Polls until a poll brings nothing new. */
    async poll(): Promise<Seen[]> {
      const got: Seen[] = [];
      for (let guard = 0; guard < 500; guard += 1) {
        const query = `limit=${limit}${addedAfter ? `&added_after=${addedAfter}` : ''}`;
        const manifest = await taxii(`${reportsPath}/manifest/?${query}`, persona);
        const entries = (manifest.body.objects ?? []) as { id: string; version: string; date_added: string }[];
        if (entries.length === 0) return got;
        expect(manifest.headers.get('x-taxii-date-added-last')).toBe(entries.at(-1)!.date_added);
        addedAfter = entries.at(-1)!.date_added;
        for (const e of entries) got.push({ id: e.id, modified: e.version, dateAdded: e.date_added });
        seen.push(...got.slice(got.length - entries.length));
      }
      throw new Error('polling did not end');
    },
  };
}

const ok = async (doc: string, vars: Record<string, unknown>, persona: PersonaName) => {
  const r = await gql(api.url, doc, vars, await headersFor(idp, persona));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, any>;
};
const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id updatedAt } }`;
const UPDATE = `mutation($id: UUID!, $rev: Int!, $s: String!) { updateReport(id: $id, expectedRevision: $rev, input: { summary: $s }) { revision updatedAt } }`;
const SHARE = `mutation($id: UUID!, $org: String!) { shareReport(input: { reportId: $id, organizationId: $org, purpose: "Joint assessment" }) { id } }`;

describe('added_after', () => {
  it('a client polling with added_after while reports are written and revised gets every version once', async () => {
    const reader = client('unodcAnalyst', 3);
    await reader.poll(); // caught up
    const ids: string[] = [];
    const writes = (async () => {
      for (let i = 0; i < 6; i += 1) {
        const [a, b] = await Promise.all([
          ok(CREATE, { input: reportDraft({ title: `Polled ${i}a`, tlp: 'GREEN' }) }, 'kazContributor'),
          ok(CREATE, { input: reportDraft({ title: `Polled ${i}b`, tlp: 'GREEN' }) }, 'kazContributor'),
        ]);
        ids.push(a.createReport.id, b.createReport.id);
        await ok(UPDATE, { id: a.createReport.id, rev: 1, s: `revised ${i}` }, 'kazContributor');
      }
    })();
    const during: Seen[] = [];
    let done = false;
    void writes.finally(() => (done = true));
    while (!done) during.push(...(await reader.poll()));
    await writes;
    during.push(...(await reader.poll()));

    const pairs = during.map((s) => `${s.id} ${s.modified}`);
    expect(new Set(pairs).size).toBe(pairs.length); // no version twice
    const stamps = during.map((s) => s.dateAdded);
    expect([...stamps].sort()).toEqual(stamps);
    // Every report written, at its last version.
    const last = new Map(during.map((s) => [s.id, s.modified]));
    for (const id of ids) expect(last.has(reportIdOf(id)), id).toBe(true);
    const objects = await taxii(`${reportsPath}/objects/?match[id]=${ids.map(reportIdOf).join(',')}`, 'unodcAnalyst');
    for (const o of objects.body.objects as { id: string; modified: string }[]) expect(last.get(o.id)).toBe(o.modified);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('a revision whose transaction began before a later write committed is not skipped by a client that read past that write', async () => {
    const { createReport } = await ok(CREATE, { input: reportDraft({ title: 'Slow revision', tlp: 'GREEN' }) }, 'kazContributor');
    const reader = client('unodcAnalyst', 50);
    await reader.poll();
    const locker = new pg.Client({ connectionString: database!.url });
    await locker.connect();
    try {
      // The revision's transaction starts (its updated_at is that instant) and waits on the row lock.
      await locker.query('begin');
      await locker.query('select 1 from reports where id = $1 for update', [createReport.id]);
      const slow = ok(UPDATE, { id: createReport.id, rev: 1, s: 'written slowly' }, 'kazContributor');
      await waitUntilSomeoneWaitsOnALock(locker);
      // Meanwhile another report is written, committed and read.
      const { createReport: fast } = await ok(CREATE, { input: reportDraft({ title: 'Fast report', tlp: 'GREEN' }) }, 'kazContributor');
      expect((await reader.poll()).map((s) => s.id)).toEqual([reportIdOf(fast.id)]);
      await locker.query('commit');
      const { updateReport } = await slow;
      expect(Date.parse(updateReport.updatedAt)).toBeLessThan(Date.parse(fast.updatedAt)); // written "before" the fast one
      const next = await reader.poll();
      expect(next.map((s) => s.id)).toEqual([reportIdOf(createReport.id)]);
      expect(next[0]!.modified).toBe(new Date(updateReport.updatedAt).toISOString());
    } finally {
      await locker.end();
    }
  });

  it('a report shared with the client\'s organization is news to it; a share with another organization is not', async () => {
    const { createReport } = await ok(CREATE, { input: reportDraft({ title: 'Shared later', tlp: 'AMBER' }) }, 'kazContributor');
    const grantee = client('scoRats', 50);
    const bystander = client('unodcAnalyst', 50);
    await ok(SHARE, { id: createReport.id, org: 'unodc' }, 'kazAdmin');
    await Promise.all([grantee.poll(), bystander.poll()]);
    expect(bystander.seen.map((s) => s.id)).toContain(reportIdOf(createReport.id));
    expect(grantee.seen.map((s) => s.id)).not.toContain(reportIdOf(createReport.id));

    await ok(SHARE, { id: createReport.id, org: 'sco-rats' }, 'kazAdmin');
    expect((await grantee.poll()).map((s) => s.id)).toEqual([reportIdOf(createReport.id)]);
    // The bystander already has this version: the other organization's grant changes nothing it sees.
    expect(await bystander.poll()).toEqual([]);
  });
});

async function waitUntilSomeoneWaitsOnALock(client: pg.Client): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await client.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the revision never waited on the lock');
}
