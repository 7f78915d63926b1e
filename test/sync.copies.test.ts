import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInstanceToken } from '../src/auth/instance-token.js';
import { appliesTo } from '../src/db/applicability.js';
import { setCursor } from '../src/db/queries/sync-state.js';
import { changeFeed } from '../src/db/schema/change-feed.js';
import { indicators } from '../src/db/schema/indicators.js';
import { reports } from '../src/db/schema/reports.js';
import { syncState } from '../src/db/schema/sync-state.js';
import { PullFailed, pullFromPeer, type PullOptions } from '../src/sync/puller.js';
import { startPullLoop } from '../src/sync/pull-loop.js';
import { pino } from 'pino';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { feedEnd, feedSettled, registerInstance } from './support/sync.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Issue 17, item 3, the receiving side: two real instances (the hub and Kazakhstan's node, each on its own
 * database, each registered as the other's peer). The node pulls the hub's feed over HTTP with its own
 * instance token and holds read-only copies marked with their origin, served by its GraphQL under THE row
 * rule: exactly what kaz-ct may see at the hub, never more; idempotent, resumable, with dead letters.
 */
let hub: TestApp;
let node: TestApp;
let idp: TestIdentityProvider;
const ids: Record<string, string> = {};
const baselines: { hub: string | null; node: string | null } = { hub: null, node: null };

const as = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
async function ok(api: TestApp, doc: string, vars: Record<string, unknown>, headers: Record<string, string>) {
  const r = await gql(api.url, doc, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, any>;
}
const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`;
async function write(title: string, tlp: string, org = 'uzb-ct', indicators: string[] = []) {
  const { createReport } = await ok(hub, CREATE, { input: reportDraft({ title, tlp, countries: ['UZB'], indicators }) }, await as(org, ['contributor']));
  return createReport.id as string;
}
const pullNode = async (options: PullOptions = {}) => {
  await feedSettled(hub);
  return pullFromPeer({ db: node.app.database.db, identity: node.app.identity }, 'hub', options);
};
const READ = `query($id: UUID!) { report(id: $id) { id title tlp revision summary retractedAt origin { instance organization } } }`;
const atNode = async (id: string) => (await ok(node, READ, { id }, await as('kaz-ct', ['analyst']))).report;

let startedAt: string;
beforeAll(async () => {
  idp = await createIdentityProvider();
  hub = await startTestApp({ ...idp.env, INSTANCE_ID: 'hub' });
  node = await startTestApp({ ...idp.env, INSTANCE_ID: 'kaz' });
  // The hub lets the node read its feed for kaz-ct; the node pulls from the hub (BOTH on both sides).
  await registerInstance(hub, idp, node, { organizationId: 'kaz-ct' });
  await registerInstance(node, idp, hub, { organizationId: 'unrcca' });
  // Both hold the same sample network: the node follows the hub's feed from what this file writes.
  baselines.hub = await feedEnd(hub);
  baselines.node = await feedEnd(node);
  // Every sample record's entry is published now (feedEnd publishes): the node's TAXII adds copies after this.
  startedAt = new Date().toISOString();
  await setCursor(node.app.database.db, 'hub', baselines.hub);
  ids.green = await write('Green assessment', 'GREEN');
  ids.amber = await write('Amber shared with Kazakhstan', 'AMBER');
  ids.strict = await write('Amber strict, not shared', 'AMBER_STRICT');
  ids.red = await write('Red, never leaves', 'RED');
  const admin = await as('uzb-ct', ['org-admin', 'contributor']);
  const shared = await ok(hub, `mutation($id: UUID!) { shareReport(input: { reportId: $id, organizationId: "kaz-ct", purpose: "Joint assessment" }) { id } }`, { id: ids.amber }, admin);
  ids.amberGrant = shared.shareReport.id;
}, 120_000);
afterAll(async () => {
  await node?.stop();
  await hub?.stop();
});

describe('a node pulling from the hub holds read-only copies with their origin', () => {
  it('shows exactly the GREEN and the shared AMBER report, each with origin { instance: "hub" }', async () => {
    const summary = await pullNode();
    expect(summary).toMatchObject({ written: 2, deadLetters: 0 });
    for (const key of ['green', 'amber']) {
      expect(await atNode(ids[key]!)).toMatchObject({ id: ids[key], revision: 1, origin: { instance: 'hub', organization: 'uzb-ct' } });
    }
    expect(await atNode(ids.strict!)).toBeNull();
    expect(await atNode(ids.red!)).toBeNull();
    // The row rule applies to the copy at the node too: the AMBER copy is kaz-ct's through its grant only.
    expect((await ok(node, READ, { id: ids.amber }, await as('tjk-ct', ['analyst']))).report).toBeNull();
    expect((await ok(node, READ, { id: ids.green }, await as('tjk-ct', ['analyst']))).report).toMatchObject({ origin: { instance: 'hub' } });
    // In the node's lists too: the copies it shows are exactly those two; its own records have no origin.
    const list = await ok(node, `{ reports(first: 100) { edges { node { id origin { instance } } } } }`, {}, await as('kaz-ct', ['analyst']));
    const nodes = list.reports.edges.map((e: { node: { id: string; origin: unknown } }) => e.node);
    expect(nodes.filter((n: { origin: unknown }) => n.origin).map((n: { id: string }) => n.id).sort()).toEqual([ids.green, ids.amber].sort());
    expect(nodes.some((n: { origin: unknown }) => n.origin === null)).toBe(true);
  });

  it("serves the copies over the node's TAXII collection under the same rule", async () => {
    await feedSettled(node);
    const headers = { accept: 'application/taxii+json;version=2.1', ...(await as('kaz-ct', ['analyst'])) };
    const list = (await (await fetch(`${node.url}/taxii2/ctewn/collections/`, { headers })).json()) as { collections: { id: string; title: string }[] };
    const collection = list.collections.find((c) => c.title === 'CT-EWN reports')!;
    const page = (await (await fetch(`${node.url}/taxii2/ctewn/collections/${collection.id}/objects/?limit=1000&added_after=${startedAt}`, { headers })).json()) as {
      objects?: { external_references?: { source_name: string; external_id: string }[] }[];
    };
    const ourIds = (page.objects ?? []).flatMap((o) =>
      (o.external_references ?? []).filter((r) => r.source_name === 'ct-ewn').map((r) => r.external_id),
    );
    expect(ourIds).toEqual(expect.arrayContaining([ids.green, ids.amber]));
    expect(ourIds).not.toContain(ids.strict);
    expect(ourIds).not.toContain(ids.red);
  });

  it('refuses every write to a copy with FORBIDDEN naming its origin', async () => {
    const writer = await as('uzb-ct', ['contributor', 'org-admin']);
    const attempts = [
      gql(node.url, `mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "Edited at the node" }) { id } }`, { id: ids.green }, writer),
      gql(node.url, `mutation($id: UUID!) { retractReport(id: $id, reason: "Not ours to retract") { id } }`, { id: ids.green }, writer),
      gql(node.url, `mutation($id: UUID!) { createTearline(sourceReportId: $id, marking: GREEN, title: "T", summary: "S", releaseReason: "wider") { id } }`, { id: ids.amber }, writer),
      gql(node.url, `mutation($id: UUID!) { shareReport(input: { reportId: $id, organizationId: "tjk-ct", purpose: "Onward" }) { id } }`, { id: ids.amber }, writer),
      // The grant that travelled with the AMBER copy is a grant of the copy: revoked at the origin only.
      gql(node.url, `mutation($g: UUID!) { revokeShare(grantId: $g) { id } }`, { g: ids.amberGrant }, writer),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', readOnlyCopy: true, originInstance: 'hub' });
      expect(r.errors?.[0]?.message).toMatch(/read-only copy .*"hub"/);
    }
    expect(await atNode(ids.green!)).toMatchObject({ revision: 1, retractedAt: null });
  });

  it('takes a revision and a retraction on the next pull; pulling again, even from where the node started, changes nothing', async () => {
    const writer = await as('uzb-ct', ['contributor']);
    await ok(hub, `mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "Revised at the hub." }) { id } }`, { id: ids.green }, writer);
    await ok(hub, `mutation($id: UUID!) { retractReport(id: $id, reason: "Superseded") { id } }`, { id: ids.amber }, writer);
    expect(await pullNode()).toMatchObject({ written: 2, deadLetters: 0 });
    expect(await atNode(ids.green!)).toMatchObject({ revision: 2, summary: 'Revised at the hub.' });
    expect((await atNode(ids.amber!)).retractedAt).toEqual(expect.any(String));
    const feedBefore = await node.app.database.db.select({ n: sql<number>`count(*)::int` }).from(changeFeed);
    expect(await pullNode()).toMatchObject({ pages: 1, written: 0, deadLetters: 0 });
    // Again from where the node started: every entry of this file again, none written (same or lower revisions).
    await setCursor(node.app.database.db, 'hub', baselines.hub);
    expect(await pullNode()).toMatchObject({ written: 0, deadLetters: 0 });
    expect(await atNode(ids.green!)).toMatchObject({ revision: 2, summary: 'Revised at the hub.' });
    expect(await node.app.database.db.select({ n: sql<number>`count(*)::int` }).from(changeFeed)).toEqual(feedBefore);
  });

  it("never sends a copy onward: the hub pulling from the node gets none of them, though the node's feed lists them", async () => {
    await feedSettled(node);
    const listed = await node.app.database.db.select({ id: changeFeed.recordId }).from(changeFeed).where(eq(changeFeed.recordId, ids.green!));
    expect(listed.length).toBeGreaterThan(0);
    const entries: { type: string; id?: string }[] = [];
    for (let after = baselines.node, more = true; more; ) {
      const url = `${node.url}/sync/v1/changes?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${await signInstanceToken(hub.app.identity, 'kaz')}` } });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { entries: { type: string; id?: string }[]; next: string | null; more: boolean };
      entries.push(...page.entries);
      ({ next: after, more } = page);
    }
    expect(entries.filter((e) => e.id && Object.values(ids).includes(e.id))).toEqual([]);
  });

  it('copies a value with its origin; recording the same series at the node is refused, naming the origin', async () => {
    const [indicator] = await hub.app.database.db.select({ code: indicators.code }).from(indicators).where(and(eq(indicators.periodicity, 'MONTHLY'), eq(indicators.worseDirection, 'HIGHER'), appliesTo(indicators.code, sql`'KAZ'`))).orderBy(indicators.code).limit(1);
    const value = { indicator: indicator!.code, country: 'KAZ', period: '2016-01', value: 3, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 };
    const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`;
    const kazWriter = await as('kaz-ct', ['contributor']);
    const { recordObservations } = await ok(hub, RECORD, { input: [value] }, kazWriter);
    const id = recordObservations.observations[0].id;
    expect(await pullNode()).toMatchObject({ written: 1, deadLetters: 0 });
    const READ_VALUES = `query($code: String!) { indicator(code: $code) { observations(first: 5, from: "2016-01", to: "2016-01", country: "KAZ", source: "kaz-ct") { edges { node { id value origin { instance organization } } } } } }`;
    const seen = await ok(node, READ_VALUES, { code: indicator!.code }, await as('kaz-ct', ['analyst']));
    expect(seen.indicator.observations.edges.map((e: { node: unknown }) => e.node)).toEqual([{ id, value: 3, origin: { instance: 'hub', organization: 'kaz-ct' } }]);
    const refused = await gql(node.url, RECORD, { input: [{ ...value, value: 4 }] }, kazWriter);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', readOnlyCopy: true, originInstance: 'hub' });
    // A revision at the hub replaces the copy in force at the node.
    await ok(hub, RECORD, { input: [{ ...value, value: 5 }] }, kazWriter);
    expect(await pullNode()).toMatchObject({ written: 1, deadLetters: 0 });
    const revised = await ok(node, READ_VALUES, { code: indicator!.code }, await as('kaz-ct', ['analyst']));
    expect(revised.indicator.observations.edges.map((e: { node: { value: number } }) => e.node.value)).toEqual([5]);
  });

  it('drops the copy when the hub withdraws it (its marking raised beyond what kaz-ct may have)', async () => {
    const id = await write('Green, then raised', 'GREEN');
    await pullNode();
    expect(await atNode(id)).toMatchObject({ id, origin: { instance: 'hub' } });
    await ok(hub, `mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { tlp: AMBER_STRICT }) { id } }`, { id }, await as('uzb-ct', ['contributor']));
    await pullNode();
    expect(await atNode(id)).toBeNull();
    // Gone, not hidden: not even a network-wide reader finds it.
    expect((await ok(node, READ, { id }, await as('unoct', ['analyst']))).report).toBeNull();
    expect(await node.app.database.db.select({ id: reports.id }).from(reports).where(eq(reports.id, id))).toEqual([]);
  });

  it('removes access at the node when the grant is revoked at the hub', async () => {
    const id = await write('Amber to revoke', 'AMBER');
    const admin = await as('uzb-ct', ['org-admin', 'contributor']);
    const { shareReport } = await ok(hub, `mutation($id: UUID!) { shareReport(input: { reportId: $id, organizationId: "kaz-ct", purpose: "For a while" }) { id } }`, { id }, admin);
    await pullNode();
    expect(await atNode(id)).toMatchObject({ id, origin: { instance: 'hub' } });
    await ok(hub, `mutation($g: UUID!) { revokeShare(grantId: $g) { id } }`, { g: shareReport.id }, admin);
    await pullNode();
    expect(await atNode(id)).toBeNull();
  });
});

describe('the pull client: dead letters, back-off, resuming', () => {
  it('puts an entry the node cannot apply among the dead letters, readable by network-admin, and the feed goes on', async () => {
    // An indicator the hub knows and the node does not.
    await hub.app.database.db.execute(sql`create temporary table new_indicator as select * from indicators limit 1`);
    await hub.app.database.db.execute(sql`update new_indicator set code = 'ZZ_NEW_INDICATOR'`);
    await hub.app.database.db.execute(sql`insert into indicators select * from new_indicator`);
    const orphan = await write('On an indicator the node does not know', 'GREEN', 'uzb-ct', ['ZZ_NEW_INDICATOR']);
    const after = await write('Written after it', 'GREEN');
    expect(await pullNode()).toMatchObject({ written: 1, deadLetters: 1 });
    expect(await atNode(orphan)).toBeNull();
    expect(await atNode(after)).toMatchObject({ origin: { instance: 'hub' } });
    const QUERY = `{ syncDeadLetters(peer: "hub") { peer reason entry } }`;
    const letters = (await ok(node, QUERY, {}, await as('unrcca', ['network-admin']))).syncDeadLetters;
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ peer: 'hub', reason: expect.stringMatching(/indicator "ZZ_NEW_INDICATOR"/) });
    expect(JSON.parse(letters[0].entry)).toMatchObject({ id: orphan });
    expect((await gql(node.url, QUERY, {}, await as('kaz-ct', ['analyst']))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const audit = await ok(node, `{ auditEvents(first: 10, filter: { kind: "READ" }) { edges { node { action actorSub } } } }`, {}, await as('unoct', ['auditor']));
    expect(audit.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action)).toContain('syncDeadLetters');
  });

  it('resumes a pass that failed between pages without gap or duplicate, after backing off', async () => {
    await pullNode();
    const written = [await write('Page one', 'GREEN'), await write('Page two', 'GREEN'), await write('Page three', 'GREEN')];
    let pages = 0;
    const fault: PullOptions = {
      limit: 1,
      beforeCommit: () => {
        pages += 1;
        if (pages === 2) throw new Error('injected fault: the process dies before page 2 commits');
      },
    };
    await expect(pullNode(fault)).rejects.toThrow(PullFailed);
    const [state] = await node.app.database.db.select().from(syncState).where(eq(syncState.peerId, 'hub'));
    expect(state!.consecutiveFailures).toBe(1);
    expect(state!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    // network-admin sees where the pull client stands, and why it stopped.
    const { peers } = await ok(node, `{ peers { id pullState { consecutiveFailures nextAttemptAt lastError } } }`, {}, await as('unrcca', ['network-admin']));
    expect(peers.find((p: { id: string }) => p.id === 'hub').pullState).toMatchObject({ consecutiveFailures: 1, nextAttemptAt: expect.any(String), lastError: expect.stringMatching(/injected fault/) });
    expect(await atNode(written[0]!)).not.toBeNull();
    expect(await atNode(written[1]!)).toBeNull();
    const resumed = await pullNode({ limit: 1 });
    expect(resumed.written).toBe(2);
    for (const id of written) expect(await atNode(id)).toMatchObject({ id, revision: 1 });
    // Each copy has exactly one entry in the node's feed: none was applied twice.
    const entries = await node.app.database.db.select({ id: changeFeed.recordId }).from(changeFeed).where(sql`${changeFeed.recordId} in (${sql.join(written.map((id) => sql`${id}::uuid`), sql`, `)})`);
    expect(entries.map((e) => e.id).sort()).toEqual([...written].sort());
    const [after] = await node.app.database.db.select().from(syncState).where(eq(syncState.peerId, 'hub'));
    expect(after!.consecutiveFailures).toBe(0);
  });

  it('runs passes by itself every SYNC_PULL_INTERVAL_S (the loop), skipping a peer whose back-off has not run out', async () => {
    await pullNode();
    const db = node.app.database.db;
    const loop = startPullLoop({ db, identity: node.app.identity, logger: pino({ level: 'silent' }) }, 100);
    try {
      // Backing off: the loop leaves the peer alone until next_attempt_at.
      await db.update(syncState).set({ nextAttemptAt: new Date(Date.now() + 60_000) }).where(eq(syncState.peerId, 'hub'));
      const id = await write('Picked up by the loop', 'GREEN');
      await feedSettled(hub);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await atNode(id)).toBeNull();
      await db.update(syncState).set({ nextAttemptAt: null }).where(eq(syncState.peerId, 'hub'));
      await expect.poll(() => atNode(id), { timeout: 10_000, interval: 100 }).toMatchObject({ id, origin: { instance: 'hub' } });
    } finally {
      await loop.stop();
    }
  });
});
