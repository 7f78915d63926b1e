// Token verification for the comparison servers, with the API's own settings (src/auth/jwt.ts): pinned
// algorithm, issuer, audience, required exp and sub, 30 s clock tolerance. Every system pays for it.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';

export function createVerifier() {
  const keys = createLocalJWKSet(JSON.parse(readFileSync(process.env.AUTH_JWKS_FILE, 'utf8')));
  const options = { algorithms: ['ES256'], issuer: process.env.AUTH_ISSUER, audience: process.env.AUTH_AUDIENCE, clockTolerance: 30, requiredClaims: ['exp', 'sub'] };
  /** The claims of a bearer header, or null when it is missing or not valid. */
  return async (header) => {
    const match = /^Bearer (\S+)$/i.exec(header ?? '');
    if (!match) return null;
    try {
      const { payload } = await jwtVerify(match[1], keys, options);
      if (typeof payload.org !== 'string' || typeof payload.sub !== 'string') return null;
      return { sub: payload.sub, org: payload.org, roles: Array.isArray(payload.roles) ? payload.roles : [] };
    } catch {
      return null;
    }
  };
}

/** Counts every statement a pg client sends (BEGIN/COMMIT included), like the API's x-sql-statements. */
export function countQueries(pg) {
  const counter = { count: 0 };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(...args) {
    counter.count += 1;
    return original.apply(this, args);
  };
  return counter;
}
