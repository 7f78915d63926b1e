import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Config } from '../config.js';

/**
 * Development only (no AUTH_* configured, NODE_ENV not production): an ES256 key kept in DATA_DIR signs
 * tokens for `npm run token` and the GraphiQL persona picker; the server trusts its public half.
 */
export const DEV_ISSUER = 'ct-ewn-graph-dev';
export const DEV_AUDIENCE = 'ct-ewn-graph';
const KID = 'ct-ewn-dev-1';

interface DevKeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The in-memory database keeps its key in memory too, so tests and throw-away runs leave no file. */
const memoryKeys = new Map<string, DevKeyFile>();

async function createKeyFile(): Promise<DevKeyFile> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  return { privateJwk, publicJwk };
}

export async function loadDevKeys(dataDir: string): Promise<DevKeyFile> {
  if (dataDir === 'memory://') {
    const existing = memoryKeys.get(dataDir);
    if (existing) return existing;
    const created = await createKeyFile();
    memoryKeys.set(dataDir, created);
    return created;
  }
  const file = join(dataDir, 'dev-signing-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevKeyFile;
  mkdirSync(dataDir, { recursive: true });
  const created = await createKeyFile();
  writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600 });
  return created;
}

/** A working day, unless the server's limits are shorter: a longer token would be refused (src/auth/jwt.ts). */
export function devTokenTtlSeconds(config: Pick<Config, 'AUTH_MAX_TOKEN_AGE_S' | 'AUTH_MAX_TOKEN_LIFETIME_S'>): number {
  return Math.min(8 * 3600, config.AUTH_MAX_TOKEN_AGE_S, config.AUTH_MAX_TOKEN_LIFETIME_S);
}

export interface DevTokenRequest {
  org: string;
  roles: string[];
  sub?: string;
  ttlSeconds?: number;
}

export async function signDevToken(dataDir: string, request: DevTokenRequest): Promise<string> {
  const keys = await loadDevKeys(dataDir);
  const key = await importJWK(keys.privateJwk, 'ES256');
  return new SignJWT({ org: request.org, roles: request.roles })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
    .setSubject(request.sub ?? `dev:${request.org}:${request.roles[0] ?? 'member'}`)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 8 * 3600}s`)
    .sign(key);
}
