import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, signDevToken } from '../src/auth/dev-keys.js';
import { openDatabase } from '../src/db/database.js';
import { organizations } from '../src/db/schema/index.js';
import { copyOfTemplate, gql, startTestApp, type TestApp } from './support/app.js';

/** `npm run token -- …` as a user runs it: exit status and both streams. */
function token(args: string[], env: Record<string, string> = {}) {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { env: { ...process.env, DATA_DIR: 'memory://', NODE_ENV: 'development', ...env }, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, out, err: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, out: e.stdout, err: e.stderr };
  }
}

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

  it('`npm run token -- --help` prints the options and exits 0 (it crashed on the unknown option)', () => {
    const help = token(['--help']);
    expect(help).toMatchObject({ status: 0, err: '' });
    expect(help.out).toMatch(/^usage: npm run token -- --org <organization id>/);
    expect(help.out).toContain('--roles <list>  comma-separated, default analyst: analyst, contributor, org-admin, auditor, network-admin');
    const typo = token(['--organisation', 'unodc']);
    expect(typo.status).toBe(2);
    expect(typo.err).toMatch(/^Unknown option '--organisation'[\s\S]*usage: npm run token/);
  });

  it('an unknown or inactive organization gets no token, and the valid ones are listed (the sample data, without DATABASE_URL)', () => {
    const unknown = token(['--org', 'unodc-typo', '--roles', 'network-admin']);
    expect(unknown).toMatchObject({ status: 2, out: '' });
    expect(unknown.err).toMatch(/^--org: "unodc-typo" is not an organization in the sample data; use one of: unrcca, unoct, unama, unodc, .*kaz-ct.*expert-group\n$/);
    const inactive = token(['--org', 'inactive-sample']);
    expect(inactive).toMatchObject({ status: 2, out: '' });
    expect(inactive.err).toMatch(/"inactive-sample" is inactive in the sample data/);
    expect(inactive.err).not.toMatch(/use one of: .*inactive-sample/);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('with DATABASE_URL the organizations are those of the database, one an operator added included', async () => {
    const copy = await copyOfTemplate();
    const database = await openDatabase({ databaseUrl: copy.url, dataDir: 'unused', poolMax: 1 });
    try {
      await database.db.insert(organizations).values({ id: 'added-by-operator', acronym: 'ABO', nameEn: 'Added by an operator', nameRu: 'Добавлена оператором', kind: 'EXPERT' });
      const added = token(['--org', 'added-by-operator'], { DATABASE_URL: copy.url });
      expect(added.err).toBe('');
      expect(added.status).toBe(0);
      const unknown = token(['--org', 'no-such-org'], { DATABASE_URL: copy.url });
      expect(unknown.status).toBe(2);
      expect(unknown.err).toMatch(/^--org: "no-such-org" is not an organization in the database \(DATABASE_URL\); use one of: added-by-operator, /);
    } finally {
      await database.close();
      await copy.drop();
    }
  });
});
