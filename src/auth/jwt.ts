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

  const verified = new VerifiedTokens();
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { algorithms, issuer, audience, clockTolerance, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new TokenError(error.code);
      throw new TokenError('ERR_MALFORMED');
    }
    const claims = claimsOf(payload);
    verified.set(token, claims, payload.exp! * 1000);
    return claims;
  };
}

/**
 * Tokens this process verified lately. A client sends the same token with every request, and checking
 * an ES256 or RS256 signature costs more than a small query (bench/NOTES.md). An entry is the exact token
 * string; it lasts until the token expires and at most VERIFIED_FOR_MS, so a key withdrawn from the JWKS
 * stops being accepted within that time. Refusals are never kept.
 */
export class VerifiedTokens {
  static readonly VERIFIED_FOR_MS = 60_000;
  static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<string, { claims: VerifiedClaims; until: number }>();

  get(token: string, now = Date.now()): VerifiedClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now < entry.until) return entry.claims;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, claims: VerifiedClaims, expiresAt: number, now = Date.now()): void {
    // A Map iterates in insertion order: the first key is the oldest entry.
    if (this.entries.size >= VerifiedTokens.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { claims, until: Math.min(expiresAt, now + VerifiedTokens.VERIFIED_FOR_MS) });
  }
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
