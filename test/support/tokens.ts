import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const ISSUER = 'https://idp.test.ct-ewn.example';
export const AUDIENCE = 'ct-ewn-graph';

export interface TestIdentityProvider {
  /** Environment for startTestApp: the server trusts this provider's static JWKS file. */
  env: Record<string, string>;
  sign(payload: JWTPayload, options?: { alg?: 'ES256' | 'RS256'; kid?: string; key?: CryptoKey; header?: Record<string, unknown> }): Promise<string>;
  /** The raw public JWK (for HMAC-confusion tests). */
  publicJwk: Record<string, unknown>;
}

/** A real identity provider for tests: ES256 and RS256 keys, their public JWKS in a file. */
export async function createIdentityProvider(): Promise<TestIdentityProvider> {
  const es = await generateKeyPair('ES256', { extractable: true });
  const rs = await generateKeyPair('RS256', { extractable: true });
  const esJwk = { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' };
  const rsJwk = { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' };
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-idp-'));
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [esJwk, rsJwk] }));
  return {
    env: { AUTH_JWKS_FILE: file, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE },
    publicJwk: esJwk,
    async sign(payload, options = {}) {
      const alg = options.alg ?? 'ES256';
      const key = options.key ?? (alg === 'ES256' ? es.privateKey : rs.privateKey);
      const kid = options.kid ?? (alg === 'ES256' ? 'es-1' : 'rs-1');
      const jwt = new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT', ...options.header });
      // A test that passes `iat` (a number, or undefined for none) chooses the issue time itself.
      if (!('iat' in payload)) jwt.setIssuedAt();
      if (payload.iss === undefined) jwt.setIssuer(ISSUER);
      if (payload.aud === undefined) jwt.setAudience(AUDIENCE);
      // A test that passes `exp: undefined` wants a token without exp.
      if (!('exp' in payload)) jwt.setExpirationTime('10m');
      return jwt.sign(key);
    },
  };
}

/**
 * The network's personas: one per organization kind and role the policy distinguishes. Their `sub`s are
 * the sample data's people, so TLP:RED reports written by or shared with them exist.
 */
export const PERSONAS = {
  anonymous: null,
  unodcAnalyst: { sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['analyst'] },
  committee1267: { sub: 'sample:sc-1267:analyst-1', org: 'sc-1267', roles: ['analyst'] },
  committee1988: { sub: 'sample:sc-1988:analyst-1', org: 'sc-1988', roles: ['analyst'] },
  monitoringTeam: { sub: 'sample:monitoring-team:analyst-1', org: 'monitoring-team', roles: ['analyst'] },
  scoRats: { sub: 'sample:sco-rats:analyst-1', org: 'sco-rats', roles: ['analyst'] },
  kazContributor: { sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] },
  kazAdmin: { sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['org-admin'] },
  civilSociety: { sub: 'sample:kaz-cso:analyst-1', org: 'kaz-cso', roles: ['analyst'] },
  expert: { sub: 'sample:expert-group:analyst-1', org: 'expert-group', roles: ['analyst'] },
  auditor: { sub: 'sample:unoct:analyst-1', org: 'unoct', roles: ['auditor'] },
  networkAdmin: { sub: 'sample:unrcca:analyst-1', org: 'unrcca', roles: ['network-admin'] },
} as const;

export type PersonaName = keyof typeof PERSONAS;

export async function headersFor(idp: TestIdentityProvider, persona: PersonaName): Promise<Record<string, string>> {
  const claims = PERSONAS[persona];
  if (!claims) return {};
  return { authorization: `Bearer ${await idp.sign({ ...claims, roles: [...claims.roles] })}` };
}
