import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { usesDevelopmentKeys, type Config } from '../config.js';
import { DEV_AUDIENCE, DEV_ISSUER, loadDevKeys } from './dev-keys.js';
import { ROLES, type Role } from './viewer.js';

export interface VerifiedClaims {
  sub: string;
  org: string;
  roles: Role[];
}

/** Why a token was refused; the client only ever sees a generic UNAUTHENTICATED with this reason. */
export class TokenError extends Error {}

export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

/**
 * Verifies bearer tokens with jose: algorithms pinned (never `none`, never HMAC with a public key),
 * issuer and audience checked, `exp` and `sub` required, clock tolerance at most 30 s. Keys come from the
 * identity provider's JWKS (cached by jose, refetched on an unknown `kid`: key rotation), a static JWKS
 * file (air-gapped sites), or the development key.
 */
export async function createTokenVerifier(config: Config): Promise<TokenVerifier> {
  let keys: JWTVerifyGetKey;
  let issuer: string;
  let audience: string;
  if (config.AUTH_JWKS_URL) {
    // A token naming an unknown kid refetches the set (key rotation), at most once per cooldown.
    keys = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
      cooldownDuration: config.AUTH_JWKS_COOLDOWN_S * 1000,
      cacheMaxAge: 600_000,
      timeoutDuration: 5_000,
    });
    issuer = config.AUTH_ISSUER!;
    audience = config.AUTH_AUDIENCE!;
  } else if (config.AUTH_JWKS_FILE) {
    keys = createLocalJWKSet(JSON.parse(readFileSync(config.AUTH_JWKS_FILE, 'utf8')));
    issuer = config.AUTH_ISSUER!;
    audience = config.AUTH_AUDIENCE!;
  } else {
    if (!usesDevelopmentKeys(config)) throw new Error('unreachable: no key source');
    const dev = await loadDevKeys(config.DATA_DIR);
    keys = createLocalJWKSet({ keys: [dev.publicJwk] });
    issuer = DEV_ISSUER;
    audience = DEV_AUDIENCE;
  }
  const algorithms = config.AUTH_ALGORITHMS;
  const clockTolerance = Math.min(config.AUTH_CLOCK_TOLERANCE_S, 30);

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { algorithms, issuer, audience, clockTolerance, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new TokenError(error.code);
      throw new TokenError('ERR_MALFORMED');
    }
    return claimsOf(payload);
  };
}

function claimsOf(payload: JWTPayload): VerifiedClaims {
  const { sub, org, roles } = payload as JWTPayload & { org?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new TokenError('ERR_SUB');
  if (typeof org !== 'string' || org.length === 0 || org.length > 64) throw new TokenError('ERR_ORG_CLAIM');
  const list = roles === undefined ? [] : roles;
  if (!Array.isArray(list) || !list.every((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r))) {
    throw new TokenError('ERR_ROLES_CLAIM');
  }
  return { sub, org, roles: [...new Set(list)] };
}
