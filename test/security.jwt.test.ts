import { SignJWT, generateKeyPair, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type GraphQLResponse, type TestApp } from './support/app.js';
import { AUDIENCE, createIdentityProvider, ISSUER, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const WHO = '{ viewer { authenticated sub organizationId organizationKind roles } reports(first: 1) { totalCount } }';
const claims = { sub: 'someone', org: 'unodc', roles: ['analyst'] };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

function expectRefused(response: GraphQLResponse) {
  expect(response.status).toBe(401);
  expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  // Never a silent fall-back to anonymous: no data at all.
  expect(response.data ?? null).toBeNull();
  expect(JSON.stringify(response)).not.toMatch(/stack|node_modules|jose/i);
}

describe('tokens that are accepted', () => {
  it('an ES256 token: the viewer has the organization kind from the database, not the token', async () => {
    const response = await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, kind: 'SANCTIONS_COMMITTEE' })));
    expect(response.errors).toBeUndefined();
    expect(response.data!.viewer).toEqual({ authenticated: true, sub: 'someone', organizationId: 'unodc', organizationKind: 'UN_ENTITY', roles: ['analyst'] });
  });

  it('an RS256 token', async () => {
    const response = await gql(api.url, WHO, {}, bearer(await idp.sign(claims, { alg: 'RS256' })));
    expect(response.data!.viewer.authenticated).toBe(true);
  });

  it('no token is the anonymous viewer, who sees less', async () => {
    const anonymous = await gql(api.url, WHO);
    expect(anonymous.data!.viewer).toMatchObject({ authenticated: false, sub: null, roles: [] });
    const member = await gql(api.url, WHO, {}, bearer(await idp.sign(claims)));
    expect(member.data!.reports.totalCount).toBeGreaterThan(anonymous.data!.reports.totalCount);
  });

  it('a token expired less than the 30 s clock tolerance ago', async () => {
    const response = await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: now() - 10 })));
    expect(response.data!.viewer.authenticated).toBe(true);
  });
});

describe('tokens that are refused with 401 UNAUTHENTICATED', () => {
  it('expired', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: now() - 120 }))));
  });

  it('not yet valid', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, nbf: now() + 300 }))));
  });

  it('wrong issuer', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, iss: 'https://evil.example' }))));
  });

  it('wrong audience', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, aud: 'another-api' }))));
  });

  it('alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ ...claims, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 }));
    expectRefused(await gql(api.url, WHO, {}, bearer(`${header}.${payload}.`)));
  });

  it('HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(idp.publicJwk));
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: 'es-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secret);
    expectRefused(await gql(api.url, WHO, {}, bearer(token)));
  });

  it('an unknown kid, and a known kid signed by another key', async () => {
    const other = await generateKeyPair('ES256');
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'unknown-key' }))));
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'es-1' }))));
  });

  it('missing exp', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: undefined }))));
  });

  it('missing sub', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ org: 'unodc', roles: ['analyst'] }))));
  });

  it('garbage, and a header that is not a bearer token', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer('not.a.jwt')));
    expectRefused(await gql(api.url, WHO, {}, bearer('x'.repeat(20))));
    expectRefused(await gql(api.url, WHO, {}, { authorization: 'Basic dXNlcjpwYXNz' }));
  });

  it('an organization that does not exist, or has left the network', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: 'no-such-org' }))));
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: 'inactive-sample' }))));
  });

  it('an unknown role or a malformed org claim', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, roles: ['analyst', 'superuser'] }))));
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: ['unodc'] }))));
  });
});

describe("keys from the identity provider's JWKS endpoint", () => {
  it('picks up a rotated key: a token with a new kid makes the server fetch the set again', async () => {
    const { createServer } = await import('node:http');
    const { exportJWK } = await import('jose');
    const next = await generateKeyPair('ES256', { extractable: true });
    let published = JSON.parse((await import('node:fs')).readFileSync(idp.env.AUTH_JWKS_FILE!, 'utf8')) as { keys: object[] };
    const jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published)));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as { port: number };
    const remote = await startTestApp({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_COOLDOWN_S: '0' });
    try {
      expect((await gql(remote.url, WHO, {}, bearer(await idp.sign(claims)))).data!.viewer.authenticated).toBe(true);
      const rotatedToken = await idp.sign(claims, { key: next.privateKey, kid: 'es-2' });
      expectRefused(await gql(remote.url, WHO, {}, bearer(rotatedToken)));
      published = { keys: [...published.keys, { ...(await exportJWK(next.publicKey)), kid: 'es-2', alg: 'ES256', use: 'sig' }] };
      expect((await gql(remote.url, WHO, {}, bearer(rotatedToken))).data!.viewer.authenticated).toBe(true);
    } finally {
      await remote.stop();
      jwksServer.close();
    }
  });

  it('verifies tokens against keys fetched from AUTH_JWKS_URL, and refuses a kid it does not publish', async () => {
    const { createServer } = await import('node:http');
    const { readFileSync } = await import('node:fs');
    const jwks = readFileSync(idp.env.AUTH_JWKS_FILE!, 'utf8');
    let fetches = 0;
    const jwksServer = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address() as { port: number };
    const remote = await startTestApp({ AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/jwks.json`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    try {
      const first = await gql(remote.url, WHO, {}, bearer(await idp.sign(claims)));
      expect(first.data!.viewer.authenticated).toBe(true);
      const second = await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { alg: 'RS256' })));
      expect(second.data!.viewer.authenticated).toBe(true);
      expect(fetches).toBe(1); // cached
      const other = await generateKeyPair('ES256');
      expectRefused(await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'rotated-away' }))));
    } finally {
      await remote.stop();
      jwksServer.close();
    }
  });
});
