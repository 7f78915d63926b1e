import { expect } from 'vitest';
import { instanceDocument, loadInstanceIdentity, type InstanceIdentity } from '../../src/auth/instance-identity.js';
import { signInstanceToken } from '../../src/auth/instance-token.js';
import { publishChanges, readChanges } from '../../src/db/queries/change-feed.js';
import { gql, type TestApp } from './app.js';
import type { TestIdentityProvider } from './tokens.js';

/** What GET /sync/v1/changes answers, as a peer reads the JSON. */
export interface PulledEntry {
  type: 'record' | 'revocation';
  kind: 'REPORT' | 'OBSERVATION';
  id?: string;
  revision?: number;
  change?: string;
  tlp?: string;
  origin?: { instance: string; organization: string };
  fields?: Record<string, unknown>;
  grants?: { id: string; organizationId: string; grantedAt: string; expiresAt: string | null }[];
  downgradedFrom?: string;
  recordId?: string;
  grantId?: string;
  organizationId?: string;
  reason?: 'REVOKED' | 'EXPIRED';
}
export interface PulledPage {
  instance: string;
  peer: string;
  entries: PulledEntry[];
  next: string | null;
  more: boolean;
}

export interface PeerConfig {
  organizationId: string;
  direction?: 'PUSH' | 'PULL' | 'BOTH';
  allowedMarkings?: string[];
  allowedKinds?: string[];
  allowedCountries?: string[];
  downgrade?: 'NONE' | 'TEARLINE';
}

/** A peer instance's identity, registered on `api` by a network-admin through the registerPeer mutation. */
export async function registeredPeer(api: TestApp, idp: TestIdentityProvider, id: string, config: PeerConfig): Promise<InstanceIdentity> {
  const identity = await loadInstanceIdentity({ INSTANCE_ID: id, DATA_DIR: 'memory://' });
  const admin = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unrcca:admin-1', org: 'unrcca', roles: ['network-admin'] })}` };
  const input = {
    id,
    baseUrl: `https://${id}.example.org`,
    jwks: JSON.stringify(instanceDocument(identity)),
    direction: 'PULL',
    allowedMarkings: ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT'],
    allowedKinds: ['REPORT', 'OBSERVATION'],
    ...config,
  };
  const r = await gql(api.url, `mutation($input: RegisterPeerInput!) { registerPeer(input: $input) { id } }`, { input }, admin);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return identity;
}

/** One pull, with a fresh instance token signed by the peer for the hub (a token is good for one call). */
export async function pull(api: TestApp, peer: InstanceIdentity, query: { after?: string | null; limit?: number | string } = {}, audience = 'hub'): Promise<Response> {
  const params = new URLSearchParams();
  if (query.after) params.set('after', query.after);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  return fetch(`${api.url}/sync/v1/changes?${params}`, { headers: { authorization: `Bearer ${await signInstanceToken(peer, audience)}` } });
}

/** Every page from `after` (by default the test's baseline, markFeedBaseline) on, until the feed says there is no more now. */
export async function pullAll(api: TestApp, peer: InstanceIdentity, after: string | null = baselines.get(api) ?? null, limit = 100): Promise<{ pages: PulledPage[]; entries: PulledEntry[]; next: string | null }> {
  const pages: PulledPage[] = [];
  let cursor = after;
  for (;;) {
    const response = await pull(api, peer, { after: cursor, limit });
    expect(response.status, await response.clone().text()).toBe(200);
    const page = (await response.json()) as PulledPage;
    pages.push(page);
    cursor = page.next;
    if (!page.more) return { pages, entries: pages.flatMap((p) => p.entries), next: cursor };
  }
}

/**
 * Publishes every change committed so far (readChanges does before each page; said here where a test
 * relies on it). Publication follows commits, so nothing is held back behind a transaction still open.
 */
export async function feedSettled(api: TestApp): Promise<void> {
  await publishChanges(api.app.database.db);
}

const baselines = new WeakMap<TestApp, string | null>();

/** The cursor at the end of the feed as it stands. */
export async function feedEnd(api: TestApp): Promise<string | null> {
  let cursor: string | null = null;
  for (;;) {
    const page = await readChanges(api.app.database.db, cursor, 1000);
    cursor = page.next;
    if (page.changes.length < 1000) return cursor;
  }
}

/**
 * Marks the end of the feed as it stands (the sample data's entries: every seeded record has one), so a
 * test's pulls start there and read only what the test wrote: pullAll's default start.
 */
export async function markFeedBaseline(api: TestApp): Promise<void> {
  baselines.set(api, await feedEnd(api));
}

/** Registers `other`, a running test instance, as a peer of `api`: its INSTANCE_ID, its real URL and keys. */
export async function registerInstance(api: TestApp, idp: TestIdentityProvider, other: TestApp, config: PeerConfig): Promise<void> {
  const admin = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unrcca:admin-1', org: 'unrcca', roles: ['network-admin'] })}` };
  const input = {
    id: other.app.identity.id,
    baseUrl: other.url,
    jwks: JSON.stringify(instanceDocument(other.app.identity)),
    direction: 'BOTH',
    allowedMarkings: ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT'],
    allowedKinds: ['REPORT', 'OBSERVATION'],
    ...config,
  };
  const r = await gql(api.url, `mutation($input: RegisterPeerInput!) { registerPeer(input: $input) { id } }`, { input }, admin);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
}

export const records = (entries: readonly PulledEntry[]) => entries.filter((e) => e.type === 'record');
export const recordIds = (entries: readonly PulledEntry[]) => [...new Set(records(entries).map((e) => e.id!))];
export const revocations = (entries: readonly PulledEntry[]) => entries.filter((e) => e.type === 'revocation');
