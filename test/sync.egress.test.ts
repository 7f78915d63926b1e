import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceIdentity } from '../src/auth/instance-identity.js';
import { reportsByIds } from '../src/db/queries/reports.js';
import { peerConfigAllows } from '../src/auth/policy.js';
import { organizationReader } from '../src/sync/reader.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { feedSettled, markFeedBaseline, pullAll, recordIds, records, registeredPeer, revocations, type PulledEntry } from './support/sync.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Issue 17, item 2: what leaves for a peer instance is decided by the same rules as every read. Each case
 * is a way a record, a field or a grant would otherwise reach a national node that the organization it
 * acts for may not see here: a marking read loosely, a peer configured for more than its organization
 * may see, a sanctions list or source description handed to the wrong body, a revoked grant kept alive
 * at the peer, a downgrade applied without being configured.
 */
let api: TestApp;
let idp: TestIdentityProvider;
const peers: Record<string, InstanceIdentity> = {};
const ids: Record<string, string> = {};
const grants: Record<string, string> = {};

const as = async (org: string, roles = ['contributor', 'org-admin']) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
async function ok(doc: string, vars: Record<string, unknown>, headers: Record<string, string>) {
  const r = await gql(api.url, doc, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as Record<string, any>;
}
const CREATE = `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`;
const SHARE = `mutation($input: ShareReportInput!) { shareReport(input: $input) { id } }`;
async function report(name: string, over: Record<string, unknown>, org = 'uzb-ct') {
  ids[name] = (await ok(CREATE, { input: reportDraft({ title: name, ...over }) }, await as(org))).createReport.id;
  return ids[name]!;
}
async function share(name: string, organizationId: string, expiresAt?: string) {
  grants[`${name}→${organizationId}`] = (await ok(SHARE, { input: { reportId: ids[name], organizationId, purpose: 'Joint assessment', ...(expiresAt ? { expiresAt } : {}) } }, await as('uzb-ct'))).shareReport.id;
}
const entryOf = (entries: PulledEntry[], name: string) => records(entries).find((e) => e.id === ids[name]);

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, INSTANCE_ID: 'hub', MAX_FUTURE_PERIODS: 'unlimited' });
  // A national node acting for Kazakhstan's agency, configured for every marking it may be given.
  peers.kaz = await registeredPeer(api, idp, 'kaz', { organizationId: 'kaz-ct' });
  peers.kazGreen = await registeredPeer(api, idp, 'kaz-green', { organizationId: 'kaz-ct', allowedMarkings: ['GREEN'], allowedKinds: ['REPORT'] });
  peers.kazUzb = await registeredPeer(api, idp, 'kaz-uzb', { organizationId: 'kaz-ct', allowedCountries: ['UZB'] });
  peers.kazTearlines = await registeredPeer(api, idp, 'kaz-tearlines', { organizationId: 'kaz-ct', downgrade: 'TEARLINE' });
  peers.sc1267 = await registeredPeer(api, idp, 'sc1267', { organizationId: 'sc-1267' });
  peers.mt = await registeredPeer(api, idp, 'mt', { organizationId: 'monitoring-team' });
  // The sample network's own entries come before: the pulls below read what this file writes.
  await markFeedBaseline(api);

  await report('clear', { tlp: 'CLEAR' });
  await report('green', { tlp: 'GREEN', sanctionsReferences: ['QDi.101', 'TAi.202'], sourceDescription: 'A source inside the network' });
  await report('amberGranted', { tlp: 'AMBER' });
  await share('amberGranted', 'kaz-ct');
  await share('amberGranted', 'sco-rats');
  await report('amberOther', { tlp: 'AMBER' });
  await share('amberOther', 'sco-rats');
  await report('strictGranted', { tlp: 'AMBER_STRICT' });
  await share('strictGranted', 'kaz-ct');
  await report('amberToCommittee', { tlp: 'AMBER' });
  await share('amberToCommittee', 'sc-1267');
  await report('strictToCommittee', { tlp: 'AMBER_STRICT' });
  await share('strictToCommittee', 'sc-1267');
  await report('red', { tlp: 'RED' });
  // RED of the peer's own organization: its author may read it here, but an organization is no person.
  await report('redOwn', { tlp: 'RED' }, 'kaz-ct');
  await report('revoked', { tlp: 'AMBER' });
  await share('revoked', 'kaz-ct');
  await ok(`mutation($id: UUID!) { revokeShare(grantId: $id) { id } }`, { id: grants['revoked→kaz-ct'] }, await as('uzb-ct'));
  await report('source', { tlp: 'AMBER' });
  await share('source', 'kaz-ct');
  ids.tearline = (
    await ok(
      `mutation($id: UUID!) { createTearline(sourceReportId: $id, marking: GREEN, title: "Released version", summary: "What may be released.", releaseReason: "Wider release to national nodes") { id } }`,
      { id: ids.source },
      await as('uzb-ct'),
    )
  ).createTearline.id;
  await report('onUzbekistan', { tlp: 'GREEN', countries: ['UZB'] });
  const recorded = await ok(
    `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`,
    { input: [{ indicator: 'OP-01', country: 'KAZ', period: '2150-01', value: 4, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
    await as('kaz-ct'),
  );
  ids.observation = recorded.recordObservations.observations[0].id;
  const uzbekValue = await ok(
    `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`,
    { input: [{ indicator: 'OP-01', country: 'UZB', period: '2150-01', value: 7, tlp: 'GREEN', sourceReliability: 'C', informationCredibility: 3, note: 'Figure from a partner service' }] },
    await as('uzb-ct'),
  );
  ids.uzbekObservation = uzbekValue.recordObservations.observations[0].id;
  await feedSettled(api);
});
afterAll(() => api?.stop());

describe('sync egress: the row rule for the peer’s organization', () => {
  it('gives a peer CLEAR and GREEN, AMBER and AMBER+STRICT only where its organization holds a grant, and never RED', async () => {
    const { entries } = await pullAll(api, peers.kaz!);
    const got = new Set(recordIds(entries));
    for (const name of ['clear', 'green', 'amberGranted', 'strictGranted', 'source', 'tearline', 'onUzbekistan', 'observation']) expect(got, name).toContain(ids[name]);
    for (const name of ['amberOther', 'amberToCommittee', 'strictToCommittee', 'red', 'redOwn', 'revoked']) expect(got, name).not.toContain(ids[name]);
    expect(records(entries).every((e) => e.tlp !== 'RED')).toBe(true);
  });

  it('reaches the clients of a grantee under AMBER but only the grantee under AMBER+STRICT', async () => {
    const committee = new Set(recordIds((await pullAll(api, peers.sc1267!)).entries));
    const monitoring = new Set(recordIds((await pullAll(api, peers.mt!)).entries));
    expect(committee).toContain(ids.amberToCommittee);
    expect(committee).toContain(ids.strictToCommittee);
    expect(monitoring).toContain(ids.amberToCommittee);
    expect(monitoring).not.toContain(ids.strictToCommittee);
  });

  it('gives a peer configured for more than its organization may see exactly what it may, and its configuration narrows that further', async () => {
    const green = await pullAll(api, peers.kazGreen!);
    expect(recordIds(green.entries).sort()).toEqual([ids.green, ids.tearline, ids.onUzbekistan].sort());
    const uzbekistan = await pullAll(api, peers.kazUzb!);
    expect(recordIds(uzbekistan.entries).sort()).toEqual([ids.onUzbekistan, ids.uzbekObservation].sort());
  });
});

describe('sync egress: RED never leaves', () => {
  it('is not read for an organization as a whole, even its own RED (an organization is no person)', async () => {
    const reader = await organizationReader(api.app.database.db, 'kaz-ct');
    expect(await reportsByIds(api.app.database.db, reader, [ids.redOwn!, ids.red!, ids.green!])).toEqual([expect.objectContaining({ id: ids.green })]);
  });

  it('is refused by the peer filter whatever a configuration says', () => {
    const everything: Parameters<typeof peerConfigAllows>[0] = { allowedKinds: ['REPORT', 'OBSERVATION'], allowedMarkings: ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'], allowedCountries: [] };
    expect(peerConfigAllows(everything, { kind: 'REPORT', tlp: 'RED', countries: ['KAZ'] })).toBe(false);
    expect(peerConfigAllows(everything, { kind: 'REPORT', tlp: 'AMBER_STRICT', countries: ['KAZ'] })).toBe(true);
  });
});

describe('sync egress: only the fields the organization may read', () => {
  it('filters sanctions references to a committee’s own list, and sends the source description only where the rule allows', async () => {
    const kaz = entryOf((await pullAll(api, peers.kaz!)).entries, 'green')!;
    const committee = entryOf((await pullAll(api, peers.sc1267!)).entries, 'green')!;
    const monitoring = entryOf((await pullAll(api, peers.mt!)).entries, 'green')!;
    expect(kaz.fields).not.toHaveProperty('sanctionsReferences');
    expect(kaz.fields).not.toHaveProperty('sourceDescription');
    expect(kaz.fields).toMatchObject({ id: ids.green, summary: expect.any(String), sourceReliability: 'B', tlp: 'GREEN' });
    expect(committee.fields).toMatchObject({ sanctionsReferences: ['QDi.101'], sourceDescription: 'A source inside the network' });
    expect(monitoring.fields).toMatchObject({ sanctionsReferences: ['QDi.101', 'TAi.202'], sourceDescription: 'A source inside the network' });
    // Never a person's identity of another organization, nor who else a record is shared with.
    expect(kaz.fields).not.toHaveProperty('authorSub');
    expect(kaz.fields).not.toHaveProperty('sharedWith');
    expect(kaz.origin).toEqual({ instance: 'hub', organization: 'uzb-ct' });
  });
});

describe('sync egress: only the fields the organization may read, on observations', () => {
  it('sends another organization’s value without its note or who recorded it, and the organization’s own value with both', async () => {
    const { entries } = await pullAll(api, peers.kaz!);
    const other = entryOf(entries, 'uzbekObservation')!;
    expect(other.fields).toMatchObject({ id: ids.uzbekObservation, indicator: 'OP-01', country: 'UZB', value: 7, sourceReliability: 'C' });
    expect(other.fields).not.toHaveProperty('note');
    expect(other.fields).not.toHaveProperty('recordedBy');
    expect(entryOf(entries, 'observation')!.fields).toMatchObject({ recordedBy: 'sample:kaz-ct:analyst-1', source: 'kaz-ct' });
  });
});

describe('sync egress: grants travel, revocations follow', () => {
  it('sends with a record the grants that admit the peer’s organization, and no other', async () => {
    const { entries } = await pullAll(api, peers.kaz!);
    expect(entryOf(entries, 'amberGranted')!.grants!.map((g) => [g.id, g.organizationId])).toEqual([[grants['amberGranted→kaz-ct'], 'kaz-ct']]);
    const named = new Set(entries.flatMap((e) => [...(e.grants ?? []).map((g) => g.id), e.grantId]));
    expect(named).not.toContain(grants['amberGranted→sco-rats']);
    expect(named).not.toContain(grants['amberOther→sco-rats']);
    expect(entryOf(entries, 'green')!.grants).toEqual([]);
  });

  it('turns a grant revoked at the origin into a revocation for the peer, on the next pull', async () => {
    const start = (await pullAll(api, peers.kaz!)).next;
    await report('revokedLater', { tlp: 'AMBER' });
    await share('revokedLater', 'kaz-ct');
    await feedSettled(api);
    const before = await pullAll(api, peers.kaz!, start);
    expect(recordIds(before.entries)).toEqual([ids.revokedLater]);
    await ok(`mutation($id: UUID!) { revokeShare(grantId: $id) { id } }`, { id: grants['revokedLater→kaz-ct'] }, await as('uzb-ct'));
    await feedSettled(api);
    const after = await pullAll(api, peers.kaz!, before.next);
    expect(after.entries).toEqual([
      expect.objectContaining({ type: 'revocation', kind: 'REPORT', recordId: ids.revokedLater, grantId: grants['revokedLater→kaz-ct'], organizationId: 'kaz-ct', reason: 'REVOKED' }),
    ]);
  });

  it('tells a peer reading from the start of a revoked grant, not of the record', async () => {
    const { entries } = await pullAll(api, peers.kaz!);
    expect(revocations(entries)).toContainEqual(
      expect.objectContaining({ type: 'revocation', kind: 'REPORT', recordId: ids.revoked, grantId: grants['revoked→kaz-ct'], organizationId: 'kaz-ct', reason: 'REVOKED' }),
    );
    // Another organization's grants are none of the peer's business, revoked or not.
    expect(revocations((await pullAll(api, peers.sc1267!)).entries).map((r) => r.grantId)).not.toContain(grants['revoked→kaz-ct']);
  });

  it('sends a grant with its expiry, and once it has expired, the next change of the record brings a revocation instead of the record', async () => {
    const start = (await pullAll(api, peers.kaz!)).next;
    await report('expiring', { tlp: 'AMBER' });
    await share('expiring', 'kaz-ct', new Date(Date.now() + 3_000).toISOString());
    await feedSettled(api);
    const before = await pullAll(api, peers.kaz!, start);
    expect(entryOf(before.entries, 'expiring')!.grants).toEqual([expect.objectContaining({ id: grants['expiring→kaz-ct'], expiresAt: expect.any(String) })]);
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    await ok(`mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "Revised after the grant expired." }) { revision } }`, { id: ids.expiring }, await as('uzb-ct'));
    await feedSettled(api);
    const after = await pullAll(api, peers.kaz!, before.next);
    expect(recordIds(after.entries)).not.toContain(ids.expiring);
    expect(revocations(after.entries)).toEqual([expect.objectContaining({ recordId: ids.expiring, grantId: grants['expiring→kaz-ct'], reason: 'EXPIRED' })]);
  });
});

describe('sync egress: a copy the peer may no longer have is withdrawn', () => {
  it('withdraws a record from a peer that was handed it once its marking is raised, and names it to no peer that never had it', async () => {
    const kazStart = (await pullAll(api, peers.kaz!)).next;
    const uzbStart = (await pullAll(api, peers.kazUzb!)).next;
    await report('raised', { tlp: 'GREEN' });
    await feedSettled(api);
    const before = await pullAll(api, peers.kaz!, kazStart);
    expect(recordIds(before.entries)).toEqual([ids.raised]);
    await ok(`mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { tlp: AMBER }) { revision } }`, { id: ids.raised }, await as('uzb-ct'));
    await feedSettled(api);
    expect((await pullAll(api, peers.kaz!, before.next)).entries).toEqual([{ type: 'withdrawal', kind: 'REPORT', recordId: ids.raised, revision: 2 }]);
    // The peer for Uzbekistan's records never had it: it learns nothing of the report, not even its id.
    expect(JSON.stringify((await pullAll(api, peers.kazUzb!, uzbStart)).entries)).not.toContain(ids.raised);
  });
});

describe('sync egress: downgrade only when configured', () => {
  it('sends a peer configured with TEARLINE the tearline in place of the AMBER source, and never an AMBER report', async () => {
    const { entries } = await pullAll(api, peers.kazTearlines!);
    const got = recordIds(entries);
    expect(got).toContain(ids.tearline);
    expect(records(entries).find((e) => e.id === ids.tearline)!.downgradedFrom).toBe(ids.source);
    for (const name of ['source', 'amberGranted', 'strictGranted']) expect(got, name).not.toContain(ids[name]);
    expect(records(entries).every((e) => !['AMBER', 'AMBER_STRICT', 'RED'].includes(e.tlp!))).toBe(true);
  });

  it('sends the AMBER source itself to a peer without a downgrade (never implied)', async () => {
    const { entries } = await pullAll(api, peers.kaz!);
    expect(entryOf(entries, 'source')!.downgradedFrom).toBeUndefined();
    expect(entryOf(entries, 'source')!.fields!.tlp).toBe('AMBER');
  });
});
