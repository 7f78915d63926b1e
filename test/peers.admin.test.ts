import { mkdtempSync, statSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstanceIdentity } from '../src/auth/instance-identity.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Issue 17, item 1: the table of peer instances, kept by network-admin through audited mutations, and this
 * instance's public identity at /.well-known/ctewn-instance.json. A stranger's entry in the table would
 * let another server sync as one of our organizations: every refusal below is a way in that stays shut.
 */
let api: TestApp;
let idp: TestIdentityProvider;
let peerJwks: string;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, INSTANCE_ID: 'hub' });
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  peerJwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'kaz-1' }] });
});
afterAll(() => api?.stop());

const as = async (org: string, roles: string[]) => ({ authorization: `Bearer ${await idp.sign({ sub: `sample:${org}:analyst-1`, org, roles })}` });
const admin = () => as('unrcca', ['network-admin']);
const REGISTER = `mutation($input: RegisterPeerInput!) { registerPeer(input: $input) { id baseUrl organizationId keyIds direction allowedMarkings allowedKinds allowedCountries disabled } }`;
const UPDATE = `mutation($id: String!, $input: UpdatePeerInput!) { updatePeer(id: $id, input: $input) { id allowedMarkings direction disabled } }`;
const DISABLE = `mutation($id: String!, $reason: String!) { disablePeer(id: $id, reason: $reason) { id disabled disabledAt } }`;
const PEERS = `{ peers { id organizationId direction disabled } }`;
const input = (extra: Record<string, unknown> = {}) => ({
  id: 'kaz',
  baseUrl: 'https://kaz-node.example.org/',
  organizationId: 'kaz-ct',
  jwks: peerJwks,
  direction: 'BOTH',
  allowedMarkings: ['GREEN', 'AMBER'],
  allowedKinds: ['REPORT', 'OBSERVATION'],
  allowedCountries: ['KAZ'],
  ...extra,
});

async function writes(action: string): Promise<{ action: string; reason: string; actorOrganizationId: string }[]> {
  const r = await gql(api.url, `{ auditEvents(first: 50, filter: { kind: "WRITE" }) { edges { node { action reason actorOrganizationId } } } }`, {}, await as('unoct', ['auditor']));
  expect(r.errors).toBeUndefined();
  return r.data!.auditEvents.edges.map((e: { node: unknown }) => e.node).filter((n: { action: string }) => n.action === action);
}

describe('peers: network-admin registers, changes and disables them, each audited', () => {
  it('registers a peer, lists it, and writes an audit entry saying what it may do', async () => {
    const r = await gql(api.url, REGISTER, { input: input() }, await admin());
    expect(r.errors).toBeUndefined();
    expect(r.data!.registerPeer).toEqual({
      id: 'kaz',
      baseUrl: 'https://kaz-node.example.org',
      organizationId: 'kaz-ct',
      keyIds: ['kaz-1'],
      direction: 'BOTH',
      allowedMarkings: ['GREEN', 'AMBER'],
      allowedKinds: ['REPORT', 'OBSERVATION'],
      allowedCountries: ['KAZ'],
      disabled: false,
    });
    expect((await gql(api.url, PEERS, {}, await admin())).data!.peers).toContainEqual({ id: 'kaz', organizationId: 'kaz-ct', direction: 'BOTH', disabled: false });
    const [entry] = await writes('registerPeer');
    expect(entry).toMatchObject({ actorOrganizationId: 'unrcca' });
    expect(entry!.reason).toContain('kaz (https://kaz-node.example.org) acts for kaz-ct; BOTH; markings GREEN,AMBER');
    const again = await gql(api.url, REGISTER, { input: input() }, await admin());
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id' });
  });

  it('refuses everyone but network-admin (FORBIDDEN), the list and each write, and writes nothing', async () => {
    for (const headers of [{}, await as('kaz-ct', ['org-admin', 'contributor']), await as('unoct', ['auditor']), await as('unodc', ['analyst'])]) {
      const list = await gql(api.url, PEERS, {}, headers);
      expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(list.data?.peers ?? null).toBeNull();
      for (const [query, variables] of [
        [REGISTER, { input: input({ id: 'intruder' }) }],
        [UPDATE, { id: 'kaz', input: { allowedMarkings: ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT'] } }],
        [DISABLE, { id: 'kaz', reason: 'x' }],
      ] as const) {
        const r = await gql(api.url, query, variables, headers);
        expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    }
    const ids = (await gql(api.url, PEERS, {}, await admin())).data!.peers.map((p: { id: string }) => p.id);
    expect(ids).not.toContain('intruder');
  });

  it.each([
    ['baseUrl', { baseUrl: 'not a url' }, /not a URL/],
    ['baseUrl', { baseUrl: 'http://kaz-node.example.org' }, /https/],
    ['baseUrl', { baseUrl: 'https://user:secret@kaz-node.example.org' }, /user name or password/],
    ['organizationId', { organizationId: 'no-such-org' }, /not an active organization/],
    ['allowedMarkings', { allowedMarkings: ['GREEN', 'RED'] }, /RED never syncs/],
    ['allowedCountries', { allowedCountries: ['XXX'] }, /unknown country/],
    ['jwks', { jwks: 'not json' }, /not JSON/],
    ['jwks', { jwks: '{"keys":[]}' }, /at least one key/],
    ['jwks', { jwks: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }) }, /private or secret key/],
    ['jwks', { jwks: JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }) }, /not a usable public key/],
    ['jwks', { jwks: JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] }) }, /not a usable public key/],
    ['id', { id: 'Has Spaces' }, /INSTANCE_ID/],
  ])('refuses a bad %s with BAD_USER_INPUT naming it (%j)', async (field, change, message) => {
    const r = await gql(api.url, REGISTER, { input: input({ id: 'bad-input', ...change }) }, await admin());
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors?.[0]?.message).toMatch(message);
    expect((await gql(api.url, PEERS, {}, await admin())).data!.peers.map((p: { id: string }) => p.id)).not.toContain('bad-input');
  });

  it('refuses a private key sent by mistake, and stores only public members', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const r = await gql(api.url, REGISTER, { input: input({ id: 'leaky', jwks: JSON.stringify({ keys: [await exportJWK(privateKey)] }) }) }, await admin());
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jwks' });
    expect(r.errors?.[0]?.message).toMatch(/send only the public key/);
    const ok = await gql(api.url, REGISTER, { input: input({ id: 'public-only', jwks: JSON.stringify({ instance: 'public-only', jwks: JSON.parse(peerJwks) }) }) }, await admin());
    expect(ok.errors).toBeUndefined();
    const stored = await gql(api.url, `{ peers { id jwks } }`, {}, await admin());
    const jwks = JSON.parse(stored.data!.peers.find((p: { id: string }) => p.id === 'public-only').jwks);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('updatePeer changes what may go (RED still refused, unknown peer NOT_FOUND), audited', async () => {
    await gql(api.url, REGISTER, { input: input({ id: 'uzb', organizationId: 'uzb-ct', allowedCountries: [] }) }, await admin());
    const r = await gql(api.url, UPDATE, { id: 'uzb', input: { allowedMarkings: ['GREEN'], direction: 'PULL' } }, await admin());
    expect(r.data!.updatePeer).toEqual({ id: 'uzb', allowedMarkings: ['GREEN'], direction: 'PULL', disabled: false });
    const red = await gql(api.url, UPDATE, { id: 'uzb', input: { allowedMarkings: ['RED'] } }, await admin());
    expect(red.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'allowedMarkings' });
    const missing = await gql(api.url, UPDATE, { id: 'nobody', input: { direction: 'PUSH' } }, await admin());
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await writes('updatePeer')).map((e) => e.reason)).toContainEqual(expect.stringContaining('uzb (https://kaz-node.example.org) acts for uzb-ct; PULL; markings GREEN;'));
  });

  it('disablePeer keeps the entry, marks it disabled, and audits the reason', async () => {
    await gql(api.url, REGISTER, { input: input({ id: 'tjk', organizationId: 'tjk-ct' }) }, await admin());
    const r = await gql(api.url, DISABLE, { id: 'tjk', reason: 'Key compromised at the node' }, await admin());
    expect(r.errors).toBeUndefined();
    expect(r.data!.disablePeer).toMatchObject({ id: 'tjk', disabled: true });
    expect(r.data!.disablePeer.disabledAt).toBeTruthy();
    expect((await writes('disablePeer')).map((e) => e.reason)).toContainEqual(expect.stringMatching(/^tjk .*; disabled\. Key compromised at the node$/));
    const enabled = await gql(api.url, UPDATE, { id: 'tjk', input: { disabled: false } }, await admin());
    expect(enabled.data!.updatePeer.disabled).toBe(false);
  });
});

describe('instance identity', () => {
  it('serves its id and public JWKS at /.well-known/ctewn-instance.json, without the private key', async () => {
    const response = await fetch(`${api.url}/.well-known/ctewn-instance.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { instance: string; jwks: { keys: Record<string, unknown>[] } };
    expect(doc.instance).toBe('hub');
    expect(doc.jwks.keys).toHaveLength(1);
    expect(doc.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: api.app.identity.kid });
    expect(doc.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('INSTANCE_ID is validated at start-up, default hub', () => {
    expect(loadConfig({}).INSTANCE_ID).toBe('hub');
    expect(loadConfig({ INSTANCE_ID: 'kaz' }).INSTANCE_ID).toBe('kaz');
    expect(() => loadConfig({ INSTANCE_ID: 'Kaz Node' })).toThrow(ConfigError);
    expect(() => loadConfig({ INSTANCE_ID: 'Kaz Node' })).toThrow(/INSTANCE_ID/);
  });

  it('creates the key file on first start with mode 0600, keeps it, and refuses one others may read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctewn-instance-'));
    const first = await loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: dir });
    const file = join(dir, 'instance-signing-key.json');
    expect(first.keyFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).privateJwk.d).toBeTruthy();
    expect((await loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: dir })).kid).toBe(first.kid);
    const chosen = join(dir, 'elsewhere', 'key.json');
    expect((await loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: dir, INSTANCE_KEY_FILE: chosen })).keyFile).toBe(chosen);
    chmodSync(file, 0o644);
    await expect(loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: dir })).rejects.toThrow(/chmod 600/);
  });
});
