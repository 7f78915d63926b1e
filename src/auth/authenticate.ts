import { GraphQLError } from 'graphql';
import type { Db } from '../db/database.js';
import type { ReferenceCache } from '../db/reference.js';
import { ErrorCode } from '../errors.js';
import { TokenError, type TokenVerifier } from './jwt.js';
import { anonymousViewer, type Viewer } from './viewer.js';

/** 401 with UNAUTHENTICATED: a presented credential that is not good is refused, never treated as anonymous. */
export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${reason}`, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'a claim of the token is not valid (issuer, audience, not-before or a required claim)',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is not valid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token algorithm is not accepted',
  ERR_JWKS_NO_MATCHING_KEY: 'the token was signed by an unknown key',
  ERR_ORG_CLAIM: 'the token has no valid `org` claim',
  ERR_ROLES_CLAIM: 'the token `roles` claim names an unknown role',
  ERR_SUB: 'the token has no valid `sub` claim',
};

/**
 * The viewer of a request, from its Authorization header: none is the anonymous viewer; a bearer token
 * must verify, and its organization must exist and be active. The organization's kind and parents come
 * from the database (the reference snapshot, REFERENCE_CACHE_TTL_MS), never from the token.
 */
export async function authenticate(db: Db, verify: TokenVerifier, header: string | undefined, reference: ReferenceCache): Promise<Viewer> {
  if (header === undefined || header === '') return anonymousViewer;
  const match = /^Bearer ([A-Za-z0-9_\-.=]{1,8192})$/i.exec(header.trim());
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  let claims;
  try {
    claims = await verify(match[1]!);
  } catch (error) {
    const code = error instanceof TokenError ? error.message : 'ERR_MALFORMED';
    throw unauthenticated(REASONS[code] ?? 'the token is not valid');
  }
  const { organizationById, parentsOf } = await reference.get(db);
  const org = organizationById.get(claims.org);
  if (!org || !org.active) throw unauthenticated('the token names an unknown or inactive organization');
  return {
    kind: 'member',
    sub: claims.sub,
    organizationId: claims.org,
    organizationKind: org.kind,
    organizationCountry: org.countryIso3,
    parentOrganizationIds: [...(parentsOf.get(org.id) ?? [])],
    roles: claims.roles,
  };
}
