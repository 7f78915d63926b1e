import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceDocument, loadInstanceIdentity } from '../src/auth/instance-identity.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { reports } from '../src/db/schema/reports.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { copyOfTemplate, gql, startTestApp, type TestApp } from './support/app.js';
import { reportDraft } from './support/drafts.js';
import { feedEnd, feedSettled } from './support/sync.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * `npm run peers -- pull | dead-letters`: the pull client run by an operator at the node's console, on
 * the node's own database (the hub a running server): the node's key is the one in its DATA_DIR, the hub
 * accepts it because it registered it, and what arrives is a copy marked with its origin.
 */
let hub: TestApp;
let idp: TestIdentityProvider;
let env: Record<string, string>;
let drop: (() => Promise<void>) | undefined;
const dir = mkdtempSync(join(tmpdir(), 'ctewn-pull-cli-'));

function peers(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/peers.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', INSTANCE_ID: 'kaz', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

beforeAll(async () => {
  idp = await createIdentityProvider();
  hub = await startTestApp({ ...idp.env, INSTANCE_ID: 'hub' });
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
  // The node's key, where its CLI reads it (DATA_DIR/instance-signing-key.json), registered at the hub.
  const node = await loadInstanceIdentity({ INSTANCE_ID: 'kaz', DATA_DIR: env.DATA_DIR! });
  const admin = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unrcca:admin-1', org: 'unrcca', roles: ['network-admin'] })}` };
  const input = { id: 'kaz', baseUrl: 'https://kaz-node.example.org', organizationId: 'kaz-ct', jwks: JSON.stringify(instanceDocument(node)), direction: 'BOTH', allowedMarkings: ['GREEN'], allowedKinds: ['REPORT'] };
  expect((await gql(hub.url, `mutation($input: RegisterPeerInput!) { registerPeer(input: $input) { id } }`, { input }, admin)).errors).toBeUndefined();
  writeFileSync(join(dir, 'hub.json'), await (await fetch(`${hub.url}/.well-known/ctewn-instance.json`)).text());
}, 180_000);
afterAll(async () => {
  await hub?.stop();
  await drop?.();
});

describe('npm run peers -- pull', () => {
  it('pulls what is new from the hub into read-only copies, and says there are no dead letters', async () => {
    const added = await peers(['add', '--jwks', join(dir, 'hub.json'), '--url', hub.url, '--org', 'unrcca', '--direction', 'BOTH']);
    expect(added).toMatchObject({ code: 0, err: '' });
    const after = await feedEnd(hub);
    const writer = { authorization: `Bearer ${await idp.sign({ sub: 'sample:uzb-ct:analyst-1', org: 'uzb-ct', roles: ['contributor'] })}` };
    const created = await gql(hub.url, `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, { input: reportDraft({ title: 'Fetched by the CLI' }) }, writer);
    const id = (created.data as { createReport: { id: string } }).createReport.id;
    await feedSettled(hub);

    const pulled = await peers(['pull', '--id', 'hub', '--after', after!]);
    expect(pulled.err).toBe('');
    expect(pulled).toMatchObject({ code: 0, out: expect.stringMatching(/^pulled from hub: 1 page\(s\), 1 written, 0 unchanged, 0 dead letter\(s\)/) });
    expect(await peers(['dead-letters', '--id', 'hub'])).toMatchObject({ code: 0, out: 'no dead letters\n' });
    expect(await peers(['pull', '--id', 'nowhere'])).toMatchObject({ code: 2, err: expect.stringMatching(/no peer "nowhere"/) });

    const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR! });
    try {
      const rows = await database.db.select({ id: reports.id, originInstanceId: reports.originInstanceId }).from(reports).where(eq(reports.id, id));
      expect(rows).toEqual([{ id, originInstanceId: 'hub' }]);
    } finally {
      await database.close();
    }
  });
});
