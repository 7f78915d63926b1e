import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceDocument, loadInstanceIdentity, type InstanceIdentity } from '../src/auth/instance-identity.js';
import { signInstanceToken } from '../src/auth/instance-token.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { auditEvents } from '../src/db/schema/audit.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { copyOfTemplate, startTestApp } from './support/app.js';

/**
 * `npm run peers`: the same checks and audit entries as the mutations, for an operator at the server's
 * console (the embedded database's server stopped meanwhile: it holds its files). A peer added here
 * is one the running server accepts tokens from.
 */
let env: Record<string, string>;
let drop: (() => Promise<void>) | undefined;
let kaz: InstanceIdentity;
let wellKnown: string;
const dir = mkdtempSync(join(tmpdir(), 'ctewn-peers-cli-'));

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const copy = await copyOfTemplate();
    env = { DATABASE_URL: copy.url, DATA_DIR: dir };
    drop = copy.drop;
  } else {
    const dataDir = join(dir, 'db');
    const database = await openDatabase({ dataDir });
    await migrate(database);
    await seedSampleData(database.db);
    await database.close();
    env = { DATABASE_URL: '', DATA_DIR: dataDir };
  }
  kaz = await loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: 'memory://' });
  wellKnown = join(dir, 'kaz.json');
  writeFileSync(wellKnown, JSON.stringify(instanceDocument(kaz)));
}, 120_000);
afterAll(() => drop?.());

function peers(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/peers.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

async function cliWrites(): Promise<{ action: string | null; actorSub: string | null; reason: string | null }[]> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR! });
  try {
    return await database.db
      .select({ action: auditEvents.action, actorSub: auditEvents.actorSub, reason: auditEvents.reason })
      .from(auditEvents)
      .where(and(eq(auditEvents.kind, 'WRITE'), like(auditEvents.actorSub, 'cli:%')))
      .orderBy(auditEvents.id);
  } finally {
    await database.close();
  }
}

describe('npm run peers', () => {
  it('adds a peer from its well-known document, lists it, refuses RED and a second entry of the same peer', async () => {
    expect(await peers(['list'])).toMatchObject({ code: 0, out: expect.not.stringContaining('kaz\t') });

    const red = await peers(['add', '--jwks', wellKnown, '--url', 'https://kaz-node.example.org', '--org', 'kaz-ct', '--direction', 'PULL', '--markings', 'GREEN,RED']);
    expect(red.code).toBe(2);
    expect(red.err).toMatch(/^BAD_USER_INPUT \[allowedMarkings\]: .*RED never syncs/);

    const added = await peers(['add', '--jwks', wellKnown, '--url', 'https://kaz-node.example.org', '--org', 'kaz-ct', '--direction', 'PULL', '--markings', 'GREEN,AMBER', '--kinds', 'REPORT', '--by', 'ops-1']);
    expect(added.err).toBe('');
    expect(added).toMatchObject({ code: 0, out: 'registered kaz\thttps://kaz-node.example.org\tkaz-ct\tPULL GREEN,AMBER REPORT all\tenabled\n' });

    const listed = await peers(['list', '--json']);
    expect(JSON.parse(listed.out)).toContainEqual(expect.objectContaining({ id: 'kaz', organizationId: 'kaz-ct', direction: 'PULL', allowedMarkings: ['GREEN', 'AMBER'], disabledAt: null }));
    expect((await cliWrites()).filter((w) => w.reason?.startsWith('kaz '))).toEqual([
      { action: 'registerPeer', actorSub: 'cli:ops-1', reason: expect.stringMatching(/^kaz \(https:\/\/kaz-node.example.org\) acts for kaz-ct; PULL; markings GREEN,AMBER; kinds REPORT; all countries/) },
    ]);

    const duplicate = await peers(['add', '--jwks', wellKnown, '--url', 'https://kaz-node.example.org', '--org', 'kaz-ct', '--direction', 'PULL']);
    expect(duplicate).toMatchObject({ code: 2, err: expect.stringMatching(/^CONFLICT \[id\]/) });
  });

  it('a peer added by the CLI is one the server accepts tokens from, until the CLI disables it (audited with the reason)', async () => {
    const uzb = await loadInstanceIdentity({ INSTANCE_ID: 'uzb', DATA_DIR: 'memory://' });
    const jwks = join(dir, 'uzb-jwks.json');
    writeFileSync(jwks, JSON.stringify(uzb.jwks));
    const added = await peers(['add', '--id', 'uzb', '--jwks', jwks, '--url', 'https://uzb-node.example.org', '--org', 'uzb-ct', '--direction', 'BOTH', '--countries', 'UZB', '--downgrade', 'TEARLINE', '--by', 'ops-2']);
    expect(added).toMatchObject({ code: 0, out: expect.stringMatching(/^registered uzb\t.*BOTH - - UZB downgrade:TEARLINE\tenabled\n$/) });
    const startServer = () => startTestApp({ ...env, INSTANCE_ID: 'hub' });
    const hello = async (url: string) => (await fetch(`${url}/sync/v1/hello`, { headers: { authorization: `Bearer ${await signInstanceToken(uzb, 'hub')}` } })).status;
    let server = await startServer();
    try {
      expect(await hello(server.url)).toBe(200);
    } finally {
      await server.stop();
    }
    expect(await peers(['disable', '--id', 'uzb', '--reason', 'Node moved to a new key', '--by', 'ops-2'])).toMatchObject({ code: 0, out: expect.stringMatching(/^disabled uzb\t.*\tdisabled\n$/) });
    expect(await peers(['disable', '--id', 'uzb'])).toMatchObject({ code: 2, err: expect.stringMatching(/--reason/) });
    server = await startServer();
    try {
      expect(await hello(server.url)).toBe(401);
    } finally {
      await server.stop();
    }
    expect((await cliWrites()).filter((w) => w.reason?.startsWith('uzb '))).toEqual([
      { action: 'registerPeer', actorSub: 'cli:ops-2', reason: expect.stringMatching(/^uzb \(https:\/\/uzb-node.example.org\) acts for uzb-ct; BOTH; markings none; kinds none; UZB; keys .*; downgrade TEARLINE$/) },
      { action: 'disablePeer', actorSub: 'cli:ops-2', reason: expect.stringMatching(/; disabled\. Node moved to a new key$/) },
    ]);
  });
});
