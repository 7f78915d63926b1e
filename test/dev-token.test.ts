import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, signDevToken } from '../src/auth/dev-keys.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

describe('development tokens', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp(); // no AUTH_*: the development key of DATA_DIR (memory:// here) is trusted
  });
  afterAll(() => api?.stop());

  it('a token signed with the development key is accepted', async () => {
    const token = await signDevToken('memory://', { org: 'sc-1988', roles: ['analyst'] });
    const { data } = await gql(api.url, '{ viewer { authenticated organizationId organizationKind } }', {}, { authorization: `Bearer ${token}` });
    expect(data!.viewer).toEqual({ authenticated: true, organizationId: 'sc-1988', organizationKind: 'SANCTIONS_COMMITTEE' });
  });

  it('`npm run token` creates the key in DATA_DIR and prints a token it verifies', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctewn-token-'));
    try {
      const token = execFileSync('npx', ['tsx', 'scripts/token.ts', '--org', 'unodc', '--roles', 'analyst,org-admin'], {
        env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'development' },
        encoding: 'utf8',
      }).trim();
      const { publicJwk } = JSON.parse(readFileSync(join(dataDir, 'dev-signing-key.json'), 'utf8'));
      return jwtVerify(token, createLocalJWKSet({ keys: [publicJwk] }), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE }).then(({ payload }) => {
        expect(payload).toMatchObject({ org: 'unodc', roles: ['analyst', 'org-admin'], sub: 'dev:unodc:analyst' });
        expect(payload.exp! - payload.iat!).toBe(8 * 3600);
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('`npm run token` follows shorter server limits, so its token is never one the server refuses', () => {
    const token = execFileSync('npx', ['tsx', 'scripts/token.ts', '--org', 'unodc'], {
      env: { ...process.env, DATA_DIR: 'memory://', NODE_ENV: 'development', AUTH_MAX_TOKEN_AGE_S: '3600' },
      encoding: 'utf8',
    }).trim();
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number };
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('`npm run token` refuses an unknown role, a lifetime above the limit and a configured identity provider', () => {
    const run = (env: Record<string, string>, args: string[]) => {
      try {
        execFileSync('npx', ['tsx', 'scripts/token.ts', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    expect(run({ DATA_DIR: 'memory://' }, ['--org', 'unodc', '--roles', 'superuser'])).toBe(2);
    // Above AUTH_MAX_TOKEN_LIFETIME_S (24 h by default) the server would refuse the token.
    expect(run({ DATA_DIR: 'memory://' }, ['--org', 'unodc', '--ttl', String(25 * 3600)])).toBe(2);
    expect(run({ AUTH_JWKS_FILE: '/x', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }, ['--org', 'unodc'])).toBe(2);
  });
});
