import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Db } from '../db/database.js';
import { findPeer, rememberTokenId } from '../db/queries/peers.js';
import { INSTANCE_ALG, type InstanceIdentity } from './instance-identity.js';

/**
 * Instance-to-instance calls (issue 17) carry a short-lived JWT signed by the calling instance (client
 * credentials): never a person's token. The explicit `typ` (RFC 8725 §3.11) keeps the two kinds apart:
 * an instance token is never checked as a person's and is refused on /graphql, exports and WebSocket
 * (authenticate.ts); a person's token is refused on the sync endpoints.
 */
export const INSTANCE_TOKEN_TYPE = 'ctewn-instance+jwt';
/** The longest an instance token may live: long enough for one call, short enough that a leaked one is soon useless. */
export const INSTANCE_TOKEN_MAX_LIFETIME_S = 300;
const CLOCK_TOLERANCE_S = 30;
/** A peer may use ES256 or EdDSA keys; never `none`, never HMAC. */
const PEER_ALGORITHMS = ['ES256', 'EdDSA'];

/**
 * Who calls a sync endpoint: a registered, enabled peer instance, acting for an organization of ours.
 * Deliberately not a member of `Viewer` (viewer.ts): the GraphQL context's type cannot hold one, so no
 * query, mutation, subscription or export can run as a peer; only the sync routes accept it.
 */
export interface PeerViewer {
  kind: 'peer';
  peerId: string;
  organizationId: string;
}

/** A refused instance token: the message is for the calling instance's administrator (401). */
export class InstanceTokenError extends Error {}

/** Whether a bearer token declares itself an instance token (its header only; nothing is verified). */
export function isInstanceToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === INSTANCE_TOKEN_TYPE;
  } catch {
    return false;
  }
}

/** A token for one call from this instance to `peerId` (whose INSTANCE_ID it is): at most 300 s, with a jti. */
export async function signInstanceToken(identity: InstanceIdentity, peerId: string, ttlSeconds = 60): Promise<string> {
  if (ttlSeconds < 1 || ttlSeconds > INSTANCE_TOKEN_MAX_LIFETIME_S) throw new RangeError(`an instance token lives 1 to ${INSTANCE_TOKEN_MAX_LIFETIME_S} s`);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: INSTANCE_ALG, kid: identity.kid, typ: INSTANCE_TOKEN_TYPE })
    .setIssuer(identity.id)
    .setSubject(`instance:${identity.id}`)
    .setAudience(peerId)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(identity.privateKey);
}

/**
 * Verifies an instance token sent to this instance (`ourId`): the issuer must be a registered peer, not
 * disabled; the signature one of the keys registered for it; `aud` our INSTANCE_ID; `sub` the issuer's
 * `instance:<id>`; `exp − iat` at most 300 s; and the `jti` unused — remembered in the database until the
 * token expires, so a captured token cannot be replayed to this process or another one.
 */
export async function verifyInstanceToken(db: Db, ourId: string, token: string): Promise<PeerViewer> {
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw new InstanceTokenError('the instance token is not a JWT');
  }
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 64) throw new InstanceTokenError('the instance token has no issuer (iss)');
  const peer = await findPeer(db, issuer);
  if (!peer) throw new InstanceTokenError(`unknown issuer: no peer "${issuer}" is registered here`);
  if (peer.disabledAt) throw new InstanceTokenError(`the peer "${issuer}" is disabled here`);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(peer.jwks as Parameters<typeof createLocalJWKSet>[0]), {
      algorithms: PEER_ALGORITHMS,
      typ: INSTANCE_TOKEN_TYPE,
      issuer,
      audience: ourId,
      subject: `instance:${issuer}`,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud'],
    }));
  } catch (error) {
    throw new InstanceTokenError(describe(error, ourId));
  }
  const lifetime = payload.exp! - payload.iat!;
  if (lifetime > INSTANCE_TOKEN_MAX_LIFETIME_S) throw new InstanceTokenError(`the instance token lives ${lifetime} s (exp − iat); at most ${INSTANCE_TOKEN_MAX_LIFETIME_S} s is accepted`);
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) throw new InstanceTokenError('the instance token has no usable jti');
  // Kept past exp by the clock tolerance: until then jose would still accept the token.
  const fresh = await rememberTokenId(db, issuer, payload.jti, new Date((payload.exp! + CLOCK_TOLERANCE_S) * 1000));
  if (!fresh) throw new InstanceTokenError('the instance token was already used (replayed jti): sign a new token for each call');
  return { kind: 'peer', peerId: peer.id, organizationId: peer.organizationId };
}

function describe(error: unknown, ourId: string): string {
  if (error instanceof errors.JWTExpired) return 'the instance token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `the instance token is for another instance (aud must be "${ourId}")`;
    if (error.claim === 'iat') return 'the instance token was issued in the future (check the clocks)';
    return `the instance token's "${error.claim}" claim is not acceptable (${error.reason})`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'the instance token is not signed by a key registered for this peer';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `the instance token's algorithm is not accepted (${PEER_ALGORITHMS.join(', ')})`;
  if (error instanceof errors.JOSEError) return `the instance token is not acceptable (${error.code})`;
  return 'the instance token is not a JWT';
}
