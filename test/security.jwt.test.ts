import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { SignJWT, exportJWK, generateKeyPair, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { gql, startTestApp, type GraphQLResponse, type TestApp } from './support/app.js';
import { AUDIENCE, createIdentityProvider, ISSUER, type TestIdentityProvider } from './support/tokens.js';

/** The server log, parsed: refusals are explained there and only there. */
class LogLines extends Writable {
  lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    for (const line of String(chunk).split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
  /** The refusals logged since the last call. */
  takeRefusals(): Record<string, unknown>[] {
    return this.lines.splice(0).filter((line) => line.msg === 'token refused');
  }
}

let api: TestApp;
let idp: TestIdentityProvider;
const log = new LogLines();
const MAX_AGE_S = 3600;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, LOG_LEVEL: 'info', AUTH_MAX_TOKEN_AGE_S: String(MAX_AGE_S) }, { logStream: log });
});
afterAll(() => api?.stop());

const WHO = '{ viewer { authenticated sub organizationId organizationKind roles } reports(first: 1) { totalCount } }';
const claims = { sub: 'someone', org: 'unodc', roles: ['analyst'] };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

/**
 * Every refusal looks the same to the client (401, UNAUTHENTICATED, "invalid token"): telling a prober
 * which check failed (signature, key, claim, algorithm) helps it forge the next attempt. With `cause`,
 * the server log must name the cause of this refusal.
 */
function expectRefused(response: GraphQLResponse, cause?: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]!.message).toBe('invalid token');
  expect(response.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  // Never a silent fall-back to anonymous: no data at all.
  expect(response.data ?? null).toBeNull();
  expect(JSON.stringify(response)).not.toMatch(/stack|node_modules|jose|ERR_/i);
  if (cause) {
    const refusals = log.takeRefusals();
    expect(refusals).toHaveLength(1);
    expect(`${refusals[0]!.cause}: ${refusals[0]!.reason}`).toMatch(cause);
    expect(JSON.stringify(response)).not.toMatch(cause);
  }
}

/** A JWKS endpoint on loopback whose published keys a test can change. */
async function jwksEndpoint(keys: object[]): Promise<{ url: string; publish(keys: object[]): void; fetches: number; close(): void }> {
  let published = keys;
  const endpoint = {
    url: '',
    fetches: 0,
    publish(next: object[]) {
      published = next;
    },
    close: () => server.close(),
  };
  const server: Server = createServer((_req, res) => {
    endpoint.fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  return endpoint;
}

const publishedKeys = () => (JSON.parse(readFileSync(idp.env.AUTH_JWKS_FILE!, 'utf8')) as { keys: { kid: string }[] }).keys;

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

  it('a token issued within AUTH_MAX_TOKEN_AGE_S, with a lifetime within AUTH_MAX_TOKEN_LIFETIME_S', async () => {
    const issued = now() - (MAX_AGE_S - 120);
    const response = await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, iat: issued, exp: issued + 8 * 3600 })));
    expect(response.data!.viewer.authenticated).toBe(true);
  });
});

describe('tokens that are refused with 401 UNAUTHENTICATED, "invalid token"; the cause only in the server log', () => {
  beforeAll(() => log.takeRefusals());

  it('expired', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: now() - 120 }))), /expired/i);
  });

  it('not yet valid', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, nbf: now() + 300 }))), /nbf/);
  });

  it('wrong issuer', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, iss: 'https://evil.example' }))), /iss/);
  });

  it('wrong audience', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, aud: 'another-api' }))), /aud/);
  });

  it('alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ ...claims, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }));
    expectRefused(await gql(api.url, WHO, {}, bearer(`${header}.${payload}.`)), /algorithm/i);
  });

  it('HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(idp.publicJwk));
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', kid: 'es-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(secret);
    expectRefused(await gql(api.url, WHO, {}, bearer(token)), /algorithm/i);
  });

  it('an unknown kid, and a known kid signed by another key', async () => {
    const other = await generateKeyPair('ES256');
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'unknown-key' }))), /NO_MATCHING_KEY/);
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'es-1' }))), /signature/i);
  });

  it('missing exp', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: undefined }))), /exp/);
  });

  it('missing sub', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ org: 'unodc', roles: ['analyst'] }))), /sub/);
  });

  it('garbage, and a header that is not a bearer token', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer('not.a.jwt')), /ERR_JW[ST]_INVALID/);
    expectRefused(await gql(api.url, WHO, {}, bearer('x'.repeat(20))), /ERR_JW[ST]_INVALID/);
    expectRefused(await gql(api.url, WHO, {}, { authorization: 'Basic dXNlcjpwYXNz' }), /Authorization header/);
  });

  it('an organization that does not exist, or has left the network', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: 'no-such-org' }))), /unknown or inactive organization/);
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: 'inactive-sample' }))), /unknown or inactive organization/);
  });

  it('an unknown role or a malformed org claim', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, roles: ['analyst', 'superuser'] }))), /roles/);
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, org: ['unodc'] }))), /org/);
  });

  it('the same single answer on /export, where authentication is the same', async () => {
    const response = await fetch(`${api.url}/export/reports.csv`, { headers: bearer(await idp.sign({ ...claims, exp: now() - 120 })) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: [{ message: 'invalid token', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(log.takeRefusals().map((line) => line.cause)).toEqual(['ERR_JWT_EXPIRED']);
  });
});

describe('token age and lifetime (AUTH_MAX_TOKEN_AGE_S, AUTH_MAX_TOKEN_LIFETIME_S)', () => {
  beforeAll(() => log.takeRefusals());

  it('refuses a token without iat', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, iat: undefined }))), /iat/);
  });

  it('refuses a token issued longer ago than the maximum age, though it has not expired', async () => {
    const token = await idp.sign({ ...claims, iat: now() - 2 * 3600, exp: now() + 600 });
    expectRefused(await gql(api.url, WHO, {}, bearer(token)), /iat/);
  });

  it('the maximum age is one hour in production by default, 8 hours (the dev tokens) in development', () => {
    const production = { NODE_ENV: 'production', AUTH_JWKS_FILE: 'jwks.json', AUTH_ISSUER: 'https://idp', AUTH_AUDIENCE: 'ct-ewn' };
    expect(loadConfig(production).AUTH_MAX_TOKEN_AGE_S).toBe(3600);
    expect(loadConfig({}).AUTH_MAX_TOKEN_AGE_S).toBe(8 * 3600);
    expect(loadConfig({ ...production, AUTH_MAX_TOKEN_AGE_S: '600' }).AUTH_MAX_TOKEN_AGE_S).toBe(600);
  });

  it('refuses a token issued in the future', async () => {
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, iat: now() + 600, exp: now() + 1200 }))), /iat/);
  });

  it('refuses a lifetime above the maximum (24 h by default): exp ten years ahead, or 25 hours', async () => {
    expect(loadConfig({}).AUTH_MAX_TOKEN_LIFETIME_S).toBe(86_400);
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: now() + 10 * 365 * 86_400 }))), /lifetime/i);
    expectRefused(await gql(api.url, WHO, {}, bearer(await idp.sign({ ...claims, exp: now() + 25 * 3600 }))), /lifetime/i);
  });

  it('a token accepted once stops being accepted when it reaches the maximum age (the verified-token cache keeps it no longer)', async () => {
    // No clock tolerance here, so the token's 60 s are exactly 60 s.
    const short = await startTestApp({ ...idp.env, AUTH_MAX_TOKEN_AGE_S: '60', AUTH_CLOCK_TOLERANCE_S: '0' });
    try {
      const token = await idp.sign({ ...claims, iat: now() - 57, exp: now() + 600 });
      expect((await gql(short.url, WHO, {}, bearer(token))).data!.viewer.authenticated).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expectRefused(await gql(short.url, WHO, {}, bearer(token)));
    } finally {
      await short.stop();
    }
  });
});

describe("keys from the identity provider's JWKS endpoint", () => {
  it('picks up a rotated key: a token with a new kid makes the server fetch the set again', async () => {
    const next = await generateKeyPair('ES256', { extractable: true });
    const jwks = await jwksEndpoint(publishedKeys());
    const remote = await startTestApp({ AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_COOLDOWN_S: '0' });
    try {
      expect((await gql(remote.url, WHO, {}, bearer(await idp.sign(claims)))).data!.viewer.authenticated).toBe(true);
      const rotatedToken = await idp.sign(claims, { key: next.privateKey, kid: 'es-2' });
      expectRefused(await gql(remote.url, WHO, {}, bearer(rotatedToken)));
      jwks.publish([...publishedKeys(), { ...(await exportJWK(next.publicKey)), kid: 'es-2', alg: 'ES256', use: 'sig' }]);
      expect((await gql(remote.url, WHO, {}, bearer(rotatedToken))).data!.viewer.authenticated).toBe(true);
    } finally {
      await remote.stop();
      jwks.close();
    }
  });

  it('verifies tokens against keys fetched from AUTH_JWKS_URL, and refuses a kid it does not publish', async () => {
    const jwks = await jwksEndpoint(publishedKeys());
    const remote = await startTestApp({ AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    try {
      const first = await gql(remote.url, WHO, {}, bearer(await idp.sign(claims)));
      expect(first.data!.viewer.authenticated).toBe(true);
      const second = await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { alg: 'RS256' })));
      expect(second.data!.viewer.authenticated).toBe(true);
      expect(jwks.fetches).toBe(1); // cached
      const other = await generateKeyPair('ES256');
      expectRefused(await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { key: other.privateKey, kid: 'rotated-away' }))));
    } finally {
      await remote.stop();
      jwks.close();
    }
  });

  it('a key withdrawn from the JWKS is refused once AUTH_JWKS_CACHE_MAX_AGE_S has passed (default at most 60 s), for new and already seen tokens alike', async () => {
    expect(loadConfig({}).AUTH_JWKS_CACHE_MAX_AGE_S).toBeLessThanOrEqual(60);
    const jwks = await jwksEndpoint(publishedKeys());
    const remoteLog = new LogLines();
    const remote = await startTestApp(
      { AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_CACHE_MAX_AGE_S: '1', LOG_LEVEL: 'info' },
      { logStream: remoteLog },
    );
    try {
      const seen = await idp.sign(claims); // signed with es-1
      expect((await gql(remote.url, WHO, {}, bearer(seen))).data!.viewer.authenticated).toBe(true);
      expect((await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { alg: 'RS256' })))).data!.viewer.authenticated).toBe(true);
      jwks.publish(publishedKeys().filter((key) => key.kid !== 'es-1'));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const fetchesBefore = jwks.fetches;
      expectRefused(await gql(remote.url, WHO, {}, bearer(seen)));
      expectRefused(await gql(remote.url, WHO, {}, bearer(await idp.sign(claims))));
      expect(jwks.fetches).toBeGreaterThan(fetchesBefore);
      expect(remoteLog.takeRefusals().map((line) => line.cause)).toEqual(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_NO_MATCHING_KEY']);
      // The keys still published keep working.
      expect((await gql(remote.url, WHO, {}, bearer(await idp.sign(claims, { alg: 'RS256' })))).data!.viewer.authenticated).toBe(true);
    } finally {
      await remote.stop();
      jwks.close();
    }
  });
});
