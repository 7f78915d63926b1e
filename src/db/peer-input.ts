import { importJWK, type JWK } from 'jose';
import { badInput } from '../errors.js';

/** What a network-admin gives to register or change a peer (GraphQL input or the CLI), before it is checked. */
export interface PeerInput {
  id?: string;
  baseUrl?: string;
  organizationId?: string;
  /** The peer's public JWKS as JSON text, or its /.well-known/ctewn-instance.json document (which holds one). */
  jwks?: string;
  direction?: 'PUSH' | 'PULL' | 'BOTH';
  allowedMarkings?: readonly string[];
  allowedKinds?: readonly string[];
  allowedCountries?: readonly string[];
  /** TEARLINE: send an AMBER or AMBER+STRICT report's tearlines instead of the report (src/sync/egress.ts); NONE: no downgrade. */
  downgrade?: 'NONE' | 'TEARLINE';
}

export const PEER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MARKINGS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT'];
const KINDS = ['REPORT', 'OBSERVATION'];
/** Algorithms a peer's key may use (instance-token.ts verifies with the same). */
const KEY_TYPES: Record<string, { kty: string; crv: string; alg: 'ES256' | 'EdDSA' }> = {
  'EC/P-256': { kty: 'EC', crv: 'P-256', alg: 'ES256' },
  'OKP/Ed25519': { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' },
};
/** Members only a private or symmetric key has: such a key sent by mistake is refused, never stored. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export function checkPeerId(id: string, field = 'id'): string {
  if (!PEER_ID.test(id)) throw badInput(`${field}: a peer id is the peer's INSTANCE_ID: lower-case letters, digits and dashes, at most 64`, field);
  return id;
}

/**
 * A peer is reached over HTTPS; plain HTTP only on this machine's loopback (tests, a demo on one host).
 * No credentials, query or fragment: the sync paths are appended to it.
 */
export function checkBaseUrl(text: string, field = 'baseUrl'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(`${field}: not a URL (e.g. https://kaz-node.example.org)`, field);
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw badInput(`${field}: must be an https:// URL (http:// only for a loopback address)`, field);
  if (url.username || url.password) throw badInput(`${field}: must not carry a user name or password`, field);
  if (url.search || url.hash) throw badInput(`${field}: must not carry a query or a fragment`, field);
  return url.toString().replace(/\/+$/, '');
}

/** TLP:RED never leaves the instance it was written on (issue 17), whatever a peer's entry says. */
export function checkMarkings(markings: readonly string[], field = 'allowedMarkings'): string[] {
  if (markings.includes('RED')) throw badInput(`${field}: TLP:RED never syncs to a peer; allow at most AMBER+STRICT`, field);
  const unknown = markings.filter((m) => !MARKINGS.includes(m));
  if (unknown.length) throw badInput(`${field}: unknown marking(s) ${unknown.join(', ')} (${MARKINGS.join(', ')})`, field);
  return [...new Set(markings)];
}

const DOWNGRADES = ['NONE', 'TEARLINE'];

export function checkDowngrade(downgrade: string, field = 'downgrade'): 'NONE' | 'TEARLINE' {
  if (!DOWNGRADES.includes(downgrade)) throw badInput(`${field}: unknown downgrade ${downgrade} (${DOWNGRADES.join(', ')})`, field);
  return downgrade as 'NONE' | 'TEARLINE';
}

export function checkKinds(kinds: readonly string[], field = 'allowedKinds'): string[] {
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length) throw badInput(`${field}: unknown kind(s) ${unknown.join(', ')} (${KINDS.join(', ')})`, field);
  return [...new Set(kinds)];
}

/**
 * The peer's public keys: a JWKS (`{"keys": [...]}`) or the peer's well-known document, whose `jwks` it
 * takes. Every key must be an ES256 (P-256) or EdDSA (Ed25519) public key that imports; a private key
 * is refused (it must not be stored here, and whoever sent it should replace it at the peer).
 */
export async function checkJwks(text: string, field = 'jwks'): Promise<{ keys: JWK[] }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badInput(`${field}: not JSON; give the peer's public JWKS ({"keys": [...]}) or its /.well-known/ctewn-instance.json`, field);
  }
  const set = parsed && typeof parsed === 'object' && 'jwks' in parsed && !('keys' in parsed) ? (parsed as { jwks: unknown }).jwks : parsed;
  const keys = set && typeof set === 'object' ? (set as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw badInput(`${field}: no "keys" array with at least one key`, field);
  if (keys.length > 10) throw badInput(`${field}: at most 10 keys`, field);
  const usable: JWK[] = [];
  for (const [index, key] of keys.entries()) {
    if (!key || typeof key !== 'object') throw badInput(`${field}: key ${index} is not an object`, field);
    const jwk = key as JWK;
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) {
      throw badInput(`${field}: key ${index} is a private or secret key; send only the public key (and replace this key at the peer: it has been exposed)`, field);
    }
    const type = KEY_TYPES[`${jwk.kty}/${jwk.crv}`];
    if (!type) throw badInput(`${field}: key ${index} is not a usable public key (EC P-256 for ES256, or OKP Ed25519 for EdDSA)`, field);
    if (jwk.alg !== undefined && jwk.alg !== type.alg) throw badInput(`${field}: key ${index} says alg ${jwk.alg}; a ${type.crv} key signs ${type.alg}`, field);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw badInput(`${field}: key ${index} is not a signing key (use: ${jwk.use})`, field);
    try {
      await importJWK(jwk, type.alg);
    } catch {
      throw badInput(`${field}: key ${index} is not a usable public key (it does not import as ${type.alg})`, field);
    }
    const { kty, crv, x, y, kid } = jwk;
    usable.push({ kty, crv, x, ...(y ? { y } : {}), ...(kid ? { kid } : {}), alg: type.alg, use: 'sig' });
  }
  return { keys: usable };
}
