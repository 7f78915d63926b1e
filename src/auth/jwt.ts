import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwksCache, jwtVerify, type JWKSCacheInput, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { usesDevelopmentKeys, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import { DEV_AUDIENCE, DEV_ISSUER, loadDevKeys } from './dev-keys.js';
import { ROLES, type Role } from './viewer.js';

export interface VerifiedClaims {
  sub: string;
  org: string;
  roles: Role[];
}

/**
 * Why a credential was refused: `code` (jose's, or one of ours) and a detail for the server log. The
 * client never sees either: every refusal is the same 401 "invalid token" (src/auth/authenticate.ts).
 */
export class TokenError extends Error {
  constructor(
    readonly code: string,
    detail?: string,
  ) {
    super(detail ?? code);
  }
}

export interface TokenVerifier {
  /** The claims of a good token; a TokenError naming the cause otherwise. */
  verify(token: string): Promise<VerifiedClaims>;
  /** Writes why a credential was refused to the server log, the only place the cause appears. */
  refused(error: TokenError): void;
}

/**
 * Verifies bearer tokens with jose: algorithms pinned (never `none`, never HMAC with a public key),
 * issuer and audience checked, `exp`, `iat` and `sub` required, clock tolerance at most 30 s, no token
 * older than AUTH_MAX_TOKEN_AGE_S nor living longer than AUTH_MAX_TOKEN_LIFETIME_S (a stolen long-lived
 * token is a long-lived key). Keys come from the identity provider's JWKS (trusted for
 * AUTH_JWKS_CACHE_MAX_AGE_S, refetched on an unknown `kid`: key rotation), a static JWKS file
 * (air-gapped sites), or the development key.
 */
export async function createTokenVerifier(config: Config, logger: Logger): Promise<TokenVerifier> {
  let keys: JWTVerifyGetKey;
  let issuer: string;
  let audience: string;
  // When the remote key set in use was fetched (jose records it here); undefined for local key sets.
  const remoteSet: JWKSCacheInput = {};
  const keySetMaxAgeMs = config.AUTH_JWKS_CACHE_MAX_AGE_S * 1000;
  if (config.AUTH_JWKS_URL) {
    // A withdrawn key must stop working within AUTH_JWKS_CACHE_MAX_AGE_S: a set older than that is
    // fetched again before it is used. A token naming an unknown kid refetches it at once (key
    // rotation), at most once per cooldown.
    keys = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
      cooldownDuration: config.AUTH_JWKS_COOLDOWN_S * 1000,
      cacheMaxAge: keySetMaxAgeMs,
      timeoutDuration: 5_000,
      [jwksCache]: remoteSet,
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
  const maxTokenAge = config.AUTH_MAX_TOKEN_AGE_S;
  const maxLifetime = config.AUTH_MAX_TOKEN_LIFETIME_S;
  const keySetFetchedAt = () => ('uat' in remoteSet ? remoteSet.uat : undefined);

  const verified = new VerifiedTokens();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) return known;
      // Read before verifying: if jose refetches meanwhile, the older time only shortens the entry.
      const setBefore = keySetFetchedAt();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, { algorithms, issuer, audience, clockTolerance, maxTokenAge, requiredClaims: ['exp', 'iat', 'sub'] }));
      } catch (error) {
        if (error instanceof errors.JOSEError) throw new TokenError(error.code, error.message);
        throw new TokenError('ERR_MALFORMED', 'the token is not a JWT');
      }
      if (payload.exp! - payload.iat! > maxLifetime) {
        throw new TokenError('ERR_TOKEN_LIFETIME', `exp - iat is ${payload.exp! - payload.iat!} s, above AUTH_MAX_TOKEN_LIFETIME_S (${maxLifetime} s)`);
      }
      const claims = claimsOf(payload);
      // Kept no longer than the token may be used: until it expires or reaches the maximum age, and,
      // with a remote key set, until that set must be fetched again (a withdrawn key then fails).
      const setAt = setBefore ?? keySetFetchedAt();
      const until = Math.min(payload.exp! * 1000, (payload.iat! + maxTokenAge) * 1000, setAt === undefined ? Infinity : setAt + keySetMaxAgeMs);
      verified.set(token, claims, until);
      return claims;
    },
    refused(error) {
      logger.info({ cause: error.code, reason: error.message }, 'token refused');
    },
  };
}

/**
 * Tokens this process verified lately. A client sends the same token with every request, and checking
 * an ES256 or RS256 signature costs more than a small query (bench/NOTES.md). An entry is the exact token
 * string; it lasts at most VERIFIED_FOR_MS and never past the bound the verifier gives (expiry, maximum
 * age, the key set's age), so a key withdrawn from the JWKS stops being accepted once the set must be
 * fetched again. Refusals are never kept.
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
    const until = Math.min(expiresAt, now + VerifiedTokens.VERIFIED_FOR_MS);
    if (until <= now) return;
    if (this.entries.size >= VerifiedTokens.MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { claims, until });
  }
}

function claimsOf(payload: JWTPayload): VerifiedClaims {
  const { sub, org, roles } = payload as JWTPayload & { org?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new TokenError('ERR_SUB', 'the `sub` claim is not a string of 1 to 200 characters');
  if (typeof org !== 'string' || org.length === 0 || org.length > 64) throw new TokenError('ERR_ORG_CLAIM', 'the `org` claim is not a string of 1 to 64 characters');
  const list = roles === undefined ? [] : roles;
  if (!Array.isArray(list) || !list.every((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r))) {
    throw new TokenError('ERR_ROLES_CLAIM', 'the `roles` claim is not a list of known roles');
  }
  return { sub, org, roles: [...new Set(list)] };
}
