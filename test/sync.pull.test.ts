import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceIdentity } from '../src/auth/instance-identity.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { feedSettled, markFeedBaseline, pull, pullAll, recordIds, records, registeredPeer, type PulledPage } from './support/sync.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Issue 17, item 3 (pull): a peer reads our change feed in pages, with an instance token, resumably and
 * without gaps or repeats; only a peer configured to pull may, and everything handed out is in the
 * access log as the peer instance's read, so the originating organization can see where its records went.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let kaz: InstanceIdentity;
const written: string[] = [];

const as = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
async function ok(doc: string, vars: Record<string, unknown>, headers: Record<string, string>) {
  const r = await gql(api.url, doc, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, any>;
}
async function refusal(response: Response) {
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  return { status: response.status, code: body.errors[0]!.extensions.code, message: body.errors[0]!.message };
}

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, INSTANCE_ID: 'hub' });
  kaz = await registeredPeer(api, idp, 'kaz', { organizationId: 'kaz-ct', direction: 'BOTH' });
  // The sample network's own entries come before: the pulls below read what this file writes.
  await markFeedBaseline(api);
  const writer = await as('uzb-ct', ['contributor']);
  for (let i = 1; i <= 7; i += 1) {
    const input = reportDraft({ title: `Report ${i}`, sanctionsReferences: i === 1 ? ['QDi.101'] : [] });
    written.push((await ok(`mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, { input }, writer)).createReport.id);
  }
  await feedSettled(api);
});
afterAll(() => api?.stop());

describe('GET /sync/v1/changes: pages of the feed for a pulling peer', () => {
  it('pages with the cursor: every record once, in the order written, and the same cursor again gives the same page', async () => {
    const { pages, entries } = await pullAll(api, kaz, undefined, 2);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.slice(0, -1).every((p) => p.more)).toBe(true);
    expect(records(entries).map((e) => e.id)).toEqual(written);
    expect(records(entries).every((e) => e.revision === 1 && e.change === 'CREATED' && e.origin!.instance === 'hub')).toBe(true);
    // Resumable: a peer that lost the answer to page 3 asks again with the cursor of page 2.
    const again = (await (await pull(api, kaz, { after: pages[1]!.next, limit: 2 })).json()) as PulledPage;
    expect(again).toEqual(pages[2]);
  });

  it('sends a revision after the cursor the peer holds, and leaves an older entry of the same record to it', async () => {
    const { next } = await pullAll(api, kaz);
    await ok(`mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "Revised." }) { revision } }`, { id: written[3] }, await as('uzb-ct', ['contributor']));
    await feedSettled(api);
    const after = records((await pullAll(api, kaz, next)).entries);
    expect(after.map((e) => [e.id, e.revision, e.change, e.fields!.summary])).toEqual([[written[3], 2, 'REVISED', 'Revised.']]);
    // From the start, the record comes once, at its current revision: the entry of revision 1 is stale,
    // even when it falls on another page than the entry of revision 2.
    const fromStart = records((await pullAll(api, kaz, undefined, 1)).entries).filter((e) => e.id === written[3]);
    expect(fromStart.map((e) => e.revision)).toEqual([2]);
  });

  it('sends a retraction: the record again, at the same revision, marked retracted with its reason', async () => {
    const { next } = await pullAll(api, kaz);
    await ok(`mutation($id: UUID!) { retractReport(id: $id, reason: "Superseded by a joint assessment") { id } }`, { id: written[5] }, await as('uzb-ct', ['contributor']));
    await feedSettled(api);
    const after = records((await pullAll(api, kaz, next)).entries);
    expect(after.map((e) => [e.id, e.revision, e.change, e.fields!.retractionReason, typeof e.fields!.retractedAt])).toEqual([[written[5], 1, 'RETRACTED', 'Superseded by a joint assessment', 'string']]);
  });

  it('writes what it hands out to the access log: the peer instance, the records and the restricted fields', async () => {
    const { entries } = await pullAll(api, kaz);
    const sent = recordIds(entries);
    const log = await ok(
      `{ auditEvents(first: 50, filter: { kind: "READ", actorOrganization: "kaz-ct" }) { edges { node { actorSub actorOrganizationId operationName reportIds fields } } } }`,
      {},
      await as('unoct', ['auditor']),
    );
    const pulls = log.auditEvents.edges.map((e: { node: Record<string, any> }) => e.node).filter((n: { actorSub: string }) => n.actorSub === 'instance:kaz');
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls[0]).toMatchObject({ actorOrganizationId: 'kaz-ct', operationName: 'sync.pull' });
    expect(pulls[0].reportIds.sort()).toEqual([...sent].sort());
    expect(pulls[0].fields).toEqual(expect.arrayContaining(['Report.sourceReliability', 'Report.informationCredibility']));
    // The originating organization sees in its report's own access log that the peer read it.
    const own = await ok(`query($id: UUID!) { report(id: $id) { accessLog(first: 20) { edges { node { actorSub operationName } } } } }`, { id: written[0] }, await as('uzb-ct', ['analyst']));
    expect(own.report.accessLog.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ actorSub: 'instance:kaz', operationName: 'sync.pull' });
  });
});

describe('GET /sync/v1/changes: who may pull', () => {
  it('refuses a peer configured to be pushed to (PUSH), 403, and one disabled, 401', async () => {
    const pushed = await registeredPeer(api, idp, 'tjk', { organizationId: 'tjk-ct', direction: 'PUSH' });
    expect(await refusal(await pull(api, pushed))).toMatchObject({ status: 403, code: 'FORBIDDEN', message: expect.stringMatching(/PUSH/) });
    const gone = await registeredPeer(api, idp, 'kgz', { organizationId: 'kgz-ct' });
    expect((await pull(api, gone)).status).toBe(200);
    await ok(`mutation { disablePeer(id: "kgz", reason: "node decommissioned") { disabled } }`, {}, await as('unrcca', ['network-admin']));
    expect(await refusal(await pull(api, gone))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/disabled/) });
  });

  it("refuses no token (401) and a person's token (403)", async () => {
    expect((await fetch(`${api.url}/sync/v1/changes`)).status).toBe(401);
    const person = (await as('kaz-ct', ['analyst'])).authorization;
    expect(await refusal(await fetch(`${api.url}/sync/v1/changes`, { headers: { authorization: person } }))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('refuses a page size out of range and a forged cursor with 400', async () => {
    for (const limit of [0, 1001, 'ten']) expect(await refusal(await pull(api, kaz, { limit }))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(await refusal(await pull(api, kaz, { after: 'not-a-cursor' }))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
  });
});
