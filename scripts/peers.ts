import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { disablePeer, findPeer, listPeers, registerPeer, updatePeer, type PeerActor } from '../src/db/queries/peers.js';
import type { PeerRow } from '../src/db/schema/peers.js';
import { ApiError } from '../src/errors.js';
import { loadInstanceIdentity } from '../src/auth/instance-identity.js';
import { readDeadLetters, setCursor } from '../src/db/queries/sync-state.js';
import { PULL_PAGE_LIMIT, PullFailed, pullFromPeer } from '../src/sync/puller.js';

/**
 * `npm run peers -- list|add|disable|enable …`: the table of peer instances (issue 17) from the command
 * line, through the same functions, checks and audit entries as the registerPeer / updatePeer /
 * disablePeer mutations. The audit names the operator as `cli:<--by or the OS user>`.
 */
const usage = `usage: npm run peers -- <command> [options]

  list [--json]                       the registered peers
  add --jwks <file> --url <base URL> --org <organization id> --direction PUSH|PULL|BOTH
      [--id <peer INSTANCE_ID>] [--markings CLEAR,GREEN,AMBER,AMBER_STRICT] [--kinds REPORT,OBSERVATION]
      [--countries KAZ,UZB] [--downgrade NONE|TEARLINE]
                                      registers a peer; --jwks is its public JWKS or its saved
                                      /.well-known/ctewn-instance.json (then --id defaults to its instance)
  disable --id <id> --reason <text>   refuses the peer's tokens from now on
  enable --id <id>                    accepts them again
  pull --id <id> [--from-start | --after <cursor>] [--limit N]
                                      one pass of the pull client: the peer's feed until caught up,
                                      each page applied with its cursor (src/sync/puller.ts);
                                      --after starts after a cursor the peer gave (only what is new)
  dead-letters [--id <id>] [--limit N] [--json]
                                      entries we could not apply, newest first (the read is audited)

  --by <name>   who runs it, for the audit entry (default: the OS user)
  Uses DATABASE_URL or DATA_DIR like the server (stop a server on the embedded database first: it holds its files).`;

const list = (text: string | undefined) => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function limitOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1000) fail('--limit: 1 to 1000');
  return Number(text);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function show(row: PeerRow): string {
  const what = `${row.direction} ${row.allowedMarkings.join(',') || '-'} ${row.allowedKinds.join(',') || '-'} ${row.allowedCountries.join(',') || 'all'}${row.downgrade !== 'NONE' ? ` downgrade:${row.downgrade}` : ''}`;
  return `${row.id}\t${row.baseUrl}\t${row.organizationId}\t${what}\t${row.disabledAt ? 'disabled' : 'enabled'}`;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      url: { type: 'string' },
      org: { type: 'string' },
      jwks: { type: 'string' },
      direction: { type: 'string' },
      markings: { type: 'string' },
      kinds: { type: 'string' },
      countries: { type: 'string' },
      downgrade: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean', default: false },
      'from-start': { type: 'boolean', default: false },
      after: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
const { values, positionals } = parsed;
const command = positionals[0];
if (values.help || !command) {
  process.stdout.write(`${usage}\n`);
  process.exit(values.help ? 0 : 2);
}
if (!['list', 'add', 'disable', 'enable', 'pull', 'dead-letters'].includes(command)) fail(`unknown command "${command}"\n${usage}`);

let config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
const actor: PeerActor = { actorSub: `cli:${values.by ?? userInfo().username}`, actorOrgId: null };

const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
  await migrate(database);
  const db = database.db;
  if (command === 'list') {
    const rows = await listPeers(db);
    process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length ? `${rows.map(show).join('\n')}\n` : 'no peers registered\n');
  } else if (command === 'add') {
    if (!values.jwks || !values.url || !values.org || !values.direction) fail(`add needs --jwks, --url, --org and --direction\n${usage}`);
    const jwks = readFileSync(values.jwks, 'utf8');
    let id = values.id;
    if (!id) {
      const doc = JSON.parse(jwks) as { instance?: unknown };
      if (typeof doc.instance !== 'string') fail('--id: give the peer id (the --jwks file is not a well-known document naming its instance)');
      id = doc.instance;
    }
    if (!['PUSH', 'PULL', 'BOTH'].includes(values.direction)) fail('--direction: PUSH, PULL or BOTH');
    const row = await registerPeer(db, actor, {
      id,
      baseUrl: values.url,
      organizationId: values.org,
      jwks,
      direction: values.direction as PeerRow['direction'],
      allowedMarkings: list(values.markings) ?? [],
      allowedKinds: list(values.kinds) ?? [],
      allowedCountries: list(values.countries) ?? [],
      downgrade: (values.downgrade ?? 'NONE') as PeerRow['downgrade'],
    });
    process.stdout.write(`registered ${show(row)}\n`);
  } else if (command === 'dead-letters') {
    const rows = await readDeadLetters(db, actor, values.id ?? null, limitOf(values.limit, 50));
    const line = (r: (typeof rows)[number]) => `${r.receivedAt.toISOString()}\t${r.peerId}\t${String(r.entry.type)} ${String(r.entry.kind)} ${String(r.entry.id ?? r.entry.recordId)}\t${r.reason}`;
    process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length ? `${rows.map(line).join('\n')}\n` : 'no dead letters\n');
  } else if (command === 'pull') {
    if (!values.id) fail('pull needs --id');
    if (values.after !== undefined && values['from-start']) fail('pull: --from-start or --after, not both');
    try {
      const identity = await loadInstanceIdentity(config);
      if (!(await findPeer(db, values.id))) fail(`no peer "${values.id}" is registered here`);
      if (values.after !== undefined) await setCursor(db, values.id, values.after || null);
      const summary = await pullFromPeer({ db, identity }, values.id, { fromStart: values['from-start'], limit: limitOf(values.limit, PULL_PAGE_LIMIT) });
      process.stdout.write(`pulled from ${values.id}: ${summary.pages} page(s), ${summary.written} written, ${summary.unchanged} unchanged, ${summary.deadLetters} dead letter(s); cursor ${summary.cursor ?? '(start)'}\n`);
    } catch (error) {
      if (!(error instanceof PullFailed)) throw error;
      fail(error.message);
    }
  } else {
    if (!values.id) fail(`${command} needs --id`);
    if (command === 'disable') {
      if (!values.reason) fail('disable needs --reason (kept in the audit entry)');
      process.stdout.write(`disabled ${show(await disablePeer(db, actor, values.id, values.reason))}\n`);
    } else {
      process.stdout.write(`enabled ${show(await updatePeer(db, actor, values.id, { disabled: false }))}\n`);
    }
  }
} catch (error) {
  // The mutations' own errors (BAD_USER_INPUT naming the field, CONFLICT, NOT_FOUND): the operator's to fix.
  if (error instanceof ApiError) {
    const field = error.extensions.field ? ` [${String(error.extensions.field)}]` : '';
    process.stderr.write(`${String(error.extensions.code)}${field}: ${error.message}\n`);
    process.exitCode = 2;
  } else throw error;
} finally {
  await database.close();
}
