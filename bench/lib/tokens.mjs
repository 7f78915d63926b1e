// A benchmark identity provider: one ES256 key, its public JWKS in a file the API reads (AUTH_JWKS_FILE),
// and long-enough tokens for the personas the workloads use. The same tokens go to every system.
import { writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const ISSUER = 'https://idp.bench.ct-ewn.example';
export const AUDIENCE = 'ct-ewn-graph';

/** The readers are an SCO RATS analyst (a member with partial access: AMBER only through grants). */
export const PERSONAS = {
  reader: { sub: 'sample:sco-rats:analyst-1', org: 'sco-rats', roles: ['analyst'] },
  // A UN entity records values for any country (docs/ACCESS.md, recordObservations).
  writer: { sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['contributor'] },
};

export async function createIdentity(jwksPath) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'ES256', use: 'sig' };
  writeFileSync(jwksPath, JSON.stringify({ keys: [jwk] }));
  const sign = (claims) =>
    new SignJWT({ org: claims.org, roles: claims.roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench-1', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('3h')
      .sign(privateKey);
  return {
    env: { AUTH_JWKS_FILE: jwksPath, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE },
    tokens: { reader: await sign(PERSONAS.reader), writer: await sign(PERSONAS.writer) },
  };
}
