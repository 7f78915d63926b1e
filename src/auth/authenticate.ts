import { GraphQLError } from 'graphql';
import type { Db } from '../db/database.js';
import type { ReferenceCache } from '../db/reference.js';
import { ErrorCode } from '../errors.js';
import { isInstanceToken } from './instance-token.js';
import { TokenError, type TokenVerifier } from './jwt.js';
import { anonymousViewer, type Viewer } from './viewer.js';

/**
 * 401 with UNAUTHENTICATED: a presented credential that is not good is refused, never treated as
 * anonymous. Always the same message: naming the failed check (signature, key, algorithm, claim)
 * would tell a prober what to forge next; the cause goes to the server log (TokenVerifier.refused).
 */
export function unauthenticated(): GraphQLError {
  return new GraphQLError('invalid token', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}

/**
 * 403 with FORBIDDEN: an instance token (issue 17) is a peer instance's credential for the sync endpoints
 * only; no GraphQL operation, subscription or export runs as a peer, valid token or not.
 */
export function instanceTokenRefused(): GraphQLError {
  return new GraphQLError('an instance token is accepted by the sync endpoints (/sync/v1/…) only, not here', {
    extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
  });
}

/**
 * The viewer of a request, from its Authorization header: none is the anonymous viewer; a bearer token
 * must verify, and its organization must exist and be active. The organization's kind, parents and coordinator
 * mark come from the database (the reference snapshot, REFERENCE_CACHE_TTL_MS), never from the token.
 */
export async function authenticate(db: Db, verifier: TokenVerifier, header: string | undefined, reference: ReferenceCache): Promise<Viewer> {
  if (header === undefined || header === '') return anonymousViewer;
  try {
    return await memberOf(db, verifier, header, reference);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    // Only a refused token is looked at again (nothing on the path of a good one): an instance token never
    // verifies here (another issuer, a key of no identity provider) and is told where it belongs.
    const bearer = /^Bearer (\S+)$/i.exec(header.trim())?.[1];
    if (bearer !== undefined && isInstanceToken(bearer)) throw instanceTokenRefused();
    verifier.refused(error);
    throw unauthenticated();
  }
}

async function memberOf(db: Db, verifier: TokenVerifier, header: string, reference: ReferenceCache): Promise<Viewer> {
  const match = /^Bearer ([A-Za-z0-9_\-.=]{1,8192})$/i.exec(header.trim());
  if (!match) throw new TokenError('ERR_AUTHORIZATION_HEADER', 'the Authorization header is not "Bearer <token>"');
  const claims = await verifier.verify(match[1]!);
  const { organizationById, parentsOf } = await reference.get(db);
  const org = organizationById.get(claims.org);
  if (!org || !org.active) throw new TokenError('ERR_ORGANIZATION', `the token names an unknown or inactive organization (${JSON.stringify(claims.org)})`);
  return {
    kind: 'member',
    sub: claims.sub,
    organizationId: claims.org,
    organizationKind: org.kind,
    organizationCountry: org.countryIso3,
    parentOrganizationIds: [...(parentsOf.get(org.id) ?? [])],
    coordinatesNetwork: org.coordinatesNetwork,
    roles: claims.roles,
  };
}
