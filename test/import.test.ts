import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberViewer } from '../src/auth/viewer.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { findObservations } from '../src/db/queries/observations.js';
import { auditEvents } from '../src/db/schema/audit.js';
import { observations } from '../src/db/schema/observations.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { parseImportArgs, runImport } from '../src/import/command.js';
import { copyOfTemplate } from './support/app.js';

/**
 * The import command against a database a child process can open too: a seeded PGlite directory, or
 * (under `npm run test:pg`) a copy of the seeded PostgreSQL template. Most tests call the command's
 * function in-process; the last ones run the real script and kill it.
 */
interface Target {
  env: Record<string, string>;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

async function createTarget(): Promise<Target> {
  if (process.env.TEST_DATABASE_URL) {
    const copy = await copyOfTemplate();
    return {
      env: { DATABASE_URL: copy.url },
      open: () => openDatabase({ databaseUrl: copy.url, dataDir: 'unused', poolMax: 2 }),
      drop: copy.drop,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-import-'));
  const dataDir = join(dir, 'data');
  const seeding = await openDatabase({ dataDir });
  await migrate(seeding);
  await seedSampleData(seeding.db);
  await seeding.close();
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: '' },
    open: () => openDatabase({ dataDir }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

let target: Target;
let database: Database;
const files = mkdtempSync(join(tmpdir(), 'ctewn-import-files-'));
beforeAll(async () => {
  target = await createTarget();
  database = await target.open();
});
afterAll(async () => {
  await database?.close();
  await target?.drop();
  rmSync(files, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(files, name);
  writeFileSync(path, content);
  return path;
}

const HEADER = 'indicator,country,period,value,tlp,sourceReliability,informationCredibility,note';

/** Runs the command in-process, as `npm run import -- …` would, and returns its exit code and output. */
async function importFile(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runImport(database.db, parseImportArgs(argv), {
    out: (text) => (out += text),
    err: (text) => (err += text),
    progress: { write: (text: string) => (err += text), isTTY: false },
  });
  return { code, out, err };
}

async function observationCount(): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(observations);
  return row!.n;
}

async function importEntries(sub: string) {
  return database.db
    .select({ action: auditEvents.action, observationIds: auditEvents.observationIds, actorOrgId: auditEvents.actorOrgId })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'import'), eq(auditEvents.actorSub, sub)));
}

const kazMember: MemberViewer = {
  kind: 'member',
  sub: 'sample:kaz-ct:analyst-1',
  organizationId: 'kaz-ct',
  organizationKind: 'MEMBER_STATE_AGENCY',
  organizationCountry: 'KAZ',
  parentOrganizationIds: [],
  coordinatesNetwork: false,
  roles: ['analyst'],
};
const unodcMember: MemberViewer = { ...kazMember, sub: 'sample:unodc:analyst-1', organizationId: 'unodc', organizationKind: 'UN_ENTITY', organizationCountry: null };

/** The value in force for one series and period, as a member sees it through the export's query function. */
async function valueSeenBy(viewer: MemberViewer, indicator: string, country: string, period: string) {
  const page = await findObservations(database.db, viewer, { indicator, country, from: period, to: period }, 10);
  return page.edges.map((e) => e.node);
}

describe('importing a valid file', () => {
  it('the sample CSV imports in one write, with its audit entry, and the values are visible afterwards', async () => {
    const before = await observationCount();
    const result = await importFile('observations', 'examples/import/observations.sample.csv', '--org', 'kaz-ct', '--sub', 'sample-csv-importer');
    expect(result.err).toContain('5 rows valid');
    expect(result.out).toMatch(/^Imported 5 observations as kaz-ct \(sample-csv-importer\)/);
    expect(result.code).toBe(0);
    expect(await observationCount()).toBe(before + 5);

    const [op01] = await valueSeenBy(unodcMember, 'OP-01', 'KAZ', '2026-11');
    expect(op01).toMatchObject({ value: 142, tlp: 'GREEN', sourceOrgId: 'kaz-ct', recordedBySub: 'sample-csv-importer', note: 'Items flagged by the national monitoring unit' });
    const [strict] = await valueSeenBy(kazMember, 'BS-01', 'KAZ', '2026-11');
    expect(strict).toMatchObject({ value: 176, tlp: 'AMBER_STRICT' });
    // AMBER+STRICT: another organization without a grant does not see it.
    expect(await valueSeenBy(unodcMember, 'BS-01', 'KAZ', '2026-11')).toEqual([]);

    const [entry] = await importEntries('sample-csv-importer');
    expect(entry).toMatchObject({ action: 'import', actorOrgId: 'kaz-ct' });
    expect(entry!.observationIds).toHaveLength(5);
  });

  it('a JSON array and an NDJSON file import the same way', async () => {
    const json = file(
      'values.json',
      JSON.stringify([
        { indicator: 'OP-01', country: 'KAZ', period: '2020-01', value: 101, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 },
        { indicator: 'RR-03', country: 'KAZ', period: '2020-Q1', value: 33.5, tlp: 'AMBER', sourceReliability: 'A', informationCredibility: 1, note: 'from JSON' },
      ]),
    );
    const fromJson = await importFile('observations', json, '--org', 'kaz-ct', '--sub', 'json-importer');
    expect(fromJson.code).toBe(0);
    expect(fromJson.out).toMatch(/^Imported 2 observations/);
    expect(await valueSeenBy(kazMember, 'RR-03', 'KAZ', '2020-Q1')).toMatchObject([{ value: 33.5, tlp: 'AMBER', note: 'from JSON' }]);

    const fromNdjson = await importFile('observations', 'examples/import/observations.sample.ndjson', '--org', 'kaz-ct', '--sub', 'ndjson-importer');
    expect(fromNdjson.code).toBe(0);
    expect(fromNdjson.out).toMatch(/^Imported 2 observations/);
    expect(await valueSeenBy(kazMember, 'TF-01', 'KAZ', '2026-11')).toMatchObject([{ value: 28, tlp: 'AMBER', recordedBySub: 'ndjson-importer' }]);
  });

  it("a value for a period that has one becomes its next revision: the importing source's own, never another source's", async () => {
    const before = await valueSeenBy(kazMember, 'OP-02', 'KAZ', '2026-10');
    const current = before.find((v) => v.sourceOrgId === 'kaz-ct');
    const unodc = before.find((v) => v.sourceOrgId === 'unodc');
    // The sample has both sources' figures for this period (a series is indicator × country × source).
    expect(current).toBeDefined();
    expect(unodc).toBeDefined();
    const path = file('correction.csv', `${HEADER}\nOP-02,KAZ,2026-10,77.5,GREEN,A,1,corrected\n`);
    const result = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'correction-importer');
    expect(result.code).toBe(0);
    const after = await valueSeenBy(kazMember, 'OP-02', 'KAZ', '2026-10');
    expect(after.filter((v) => v.sourceOrgId === 'kaz-ct')).toMatchObject([{ value: 77.5, revision: current!.revision + 1 }]);
    expect(after.filter((v) => v.sourceOrgId === 'unodc')).toEqual([unodc]);
  });

  it('the same idempotency key and file again writes nothing a second time', async () => {
    const path = file('idempotent.csv', `${HEADER}\nOP-01,KAZ,2020-03,90,GREEN,B,2,\n`);
    const args = ['observations', path, '--org', 'kaz-ct', '--sub', 'idempotent-importer', '--idempotency-key', 'import-2020-03-kaz'];
    expect((await importFile(...args)).code).toBe(0);
    const after = await observationCount();
    const again = await importFile(...args);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/used for this same file before: nothing written again/);
    expect(await observationCount()).toBe(after);
  });
});

describe('an invalid file writes nothing and says where every problem is', () => {
  it('prints each bad CSV line with its line number (header is line 1), parse errors included', async () => {
    const path = file(
      'bad.csv',
      [
        HEADER,
        'OP-01,KAZ,2020-04,12,GREEN,B,2,',
        'XX-99,KAZ,2020-04,12,GREEN,B,2,',
        'OP-01,KAZ,2020-05,"12,5",GREEN,Z,9,',
        'OP-02,KAZ,2020-04,12,GREEN,B,2',
        'OP-03,KAZ,2020-04,abc,GREEN,B,2,"a note',
        'on two lines"',
        'OP-01,KAZ,2020-04,13,GREEN,B,2,',
        'OP-04,KAZ,2020-Q2,5,GREEN,B,,',
      ].join('\n'),
    );
    const before = await observationCount();
    const result = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'bad-importer');
    expect(result.code).toBe(1);
    const lines = result.err.trim().split('\n');
    expect(lines).toEqual([
      `${path}: line 3: indicator: unknown indicator "XX-99"`,
      `${path}: line 4: value: must be a number, got "12,5" (use a dot for decimals)`,
      `${path}: line 4: sourceReliability: source reliability must be one of A–F`,
      `${path}: line 4: informationCredibility: information credibility must be an integer from 1 to 6`,
      `${path}: line 5: has 7 field(s), the header has 8`,
      `${path}: line 6: value: must be a number, got "abc"`,
      `${path}: line 8: period: the same indicator, country and period as line 2`,
      `${path}: line 9: period: "2020-Q2" does not match the MONTHLY periodicity of OP-04 (use YYYY-MM)`,
      `${path}: line 9: informationCredibility: missing`,
      `9 problems in 6 lines of ${path}; nothing was written.`,
    ]);
    expect(await observationCount()).toBe(before);
    expect(await importEntries('bad-importer')).toEqual([]);
  });

  it('names the JSON array element and the NDJSON line', async () => {
    const json = file(
      'bad.json',
      JSON.stringify([
        { indicator: 'OP-01', country: 'KAZ', period: '2020-06', value: 1, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 },
        { indicator: 'OP-01', country: 'KAZ', period: '2020-07', value: '1', tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2, colour: 'red' },
      ]),
    );
    const fromJson = await importFile('observations', json, '--org', 'kaz-ct', '--sub', 'bad-json-importer');
    expect(fromJson.code).toBe(1);
    expect(fromJson.err).toContain(`${json}: element [1]: unknown key(s): colour`);
    expect(fromJson.err).toContain(`${json}: element [1]: value: must be a number, got "1"`);

    const ndjson = file('bad.ndjson', '{"indicator":"OP-01","country":"KAZ","period":"2020-06","value":1,"tlp":"GREEN","sourceReliability":"B","informationCredibility":2}\n\n{"indicator": "OP-01", oops}\n');
    const fromNdjson = await importFile('observations', ndjson, '--org', 'kaz-ct', '--sub', 'bad-ndjson-importer');
    expect(fromNdjson.code).toBe(1);
    expect(fromNdjson.err).toMatch(new RegExp(`${ndjson}: line 3: not valid JSON`));
  });

  it('a member-state agency may not import values for another country, nor mark them CLEAR without org-admin', async () => {
    const path = file('other-country.csv', `${HEADER}\nOP-01,KAZ,2020-08,12,GREEN,B,2,\nOP-01,KGZ,2020-08,12,GREEN,B,2,\nOP-02,KAZ,2020-08,60,CLEAR,B,2,\n`);
    const before = await observationCount();
    const refused = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'cross-border-importer', '--roles', 'contributor,org-admin');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${path}: line 3: country: a member-state agency records values for its own country (KAZ) only`);
    expect(refused.err).not.toContain('line 4');

    const clearOnly = file('clear.csv', `${HEADER}\nOP-02,KAZ,2020-08,60,CLEAR,B,2,\n`);
    const contributor = await importFile('observations', clearOnly, '--org', 'kaz-ct', '--sub', 'clear-importer');
    expect(contributor.code).toBe(1);
    expect(contributor.err).toContain('line 2: tlp: TLP:CLEAR (public release) needs the org-admin role');
    expect(await observationCount()).toBe(before);

    const admin = await importFile('observations', clearOnly, '--org', 'kaz-ct', '--sub', 'clear-importer', '--roles', 'contributor,org-admin');
    expect(admin.code).toBe(0);
  });

  it('a value for a country its indicator does not apply to is refused with its line, as recordObservations refuses it', async () => {
    const path = file('not-applicable.csv', `${HEADER}\nOP-01,KAZ,2020-09,12,GREEN,B,2,\nAFG-01,KAZ,2020-09,12,GREEN,B,2,\nAFG-03,KAZ,2020-09,1.5,GREEN,B,2,\n`);
    const before = await observationCount();
    for (const dryRun of [['--dry-run'], []]) {
      const refused = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'border-importer', ...dryRun);
      expect(refused.code).toBe(1);
      expect(refused.err.trim().split('\n')).toEqual([
        `${path}: line 3: country: AFG-01 does not apply to KAZ (it applies to TJK, TKM, UZB: states bordering Afghanistan)`,
        `${path}: line 4: country: AFG-03 does not apply to KAZ (it applies to TJK, TKM, UZB: states bordering Afghanistan)`,
        `2 problems in 2 lines of ${path}; nothing was written.`,
      ]);
    }
    expect(await observationCount()).toBe(before);
    expect(await importEntries('border-importer')).toEqual([]);
  });

  it('an unknown or inactive organization, or a role that may not write, is a usage error (exit 2)', async () => {
    const path = 'examples/import/observations.sample.csv';
    for (const [org, roles, message] of [
      ['no-such-org', 'contributor', /"no-such-org" is not an active organization/],
      ['inactive-sample', 'contributor', /"inactive-sample" is not an active organization/],
      ['kaz-ct', 'analyst', /needs the contributor role/],
    ] as const) {
      const result = await importFile('observations', path, '--org', org, '--sub', 'someone', '--roles', roles);
      expect(result.code, org).toBe(2);
      expect(result.err).toMatch(message);
    }
    expect(() => parseImportArgs(['observations', path, '--org', 'kaz-ct'])).toThrow(/--sub is required/);
    expect(() => parseImportArgs(['observations', 'values.xlsx', '--org', 'kaz-ct', '--sub', 'x'])).toThrow(/must end in .csv, .json or .ndjson/);
    expect(() => parseImportArgs(['reports', path, '--org', 'kaz-ct', '--sub', 'x'])).toThrow(/only observations/);
  });
});

/** The month `n` months after the current one (UTC), as the command counts. */
function monthsAhead(n: number): string {
  const now = new Date();
  const index = now.getUTCFullYear() * 12 + now.getUTCMonth() + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

describe('future periods (a file of months in 2036 once raised 552 real alerts)', () => {
  it('a period after the current one is refused with its line; the current one is fine', async () => {
    const path = file('future.csv', `${HEADER}\nOP-01,KAZ,${monthsAhead(0)},12,GREEN,B,2,\nOP-01,KAZ,2036-01,12,GREEN,B,2,\nRR-03,KAZ,2036-Q1,12,GREEN,B,2,\n`);
    const before = await observationCount();
    const result = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'future-importer');
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([
      `${path}: line 3: period: "2036-01" is after the current period (${monthsAhead(0)}): values for future periods are not accepted`,
      `${path}: line 4: period: "2036-Q1" is after the current period (${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}): values for future periods are not accepted`,
      `2 problems in 2 lines of ${path}; nothing was written.`,
    ]);
    expect(await observationCount()).toBe(before);
  });
});

describe('--dry-run', () => {
  it('validates, says what would be written (new values and corrections), and writes nothing', async () => {
    const path = file('dry.csv', `${HEADER}\nOP-01,KAZ,2026-10,55,GREEN,B,2,\nOP-01,KAZ,2020-09,55,GREEN,B,2,\n`);
    const before = await observationCount();
    const result = await importFile('observations', path, '--org', 'kaz-ct', '--sub', 'dry-importer', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `Dry run: ${path} is valid. Would record 2 observations as kaz-ct (dry-importer) in one transaction: 1 new, 1 correcting a value in force that you may see. Nothing was written.\n`,
    );
    expect(await observationCount()).toBe(before);
    expect(await importEntries('dry-importer')).toEqual([]);
  });
});

/** The real script, as `npm run import` runs it, against the same database (closed here meanwhile for PGlite). */
function runScript(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, exit, output: () => ({ out, err }) };
}

/** A file of `rows` valid values of kaz-ct: the 21 monthly indicators that apply to Kazakhstan, months counted back from 2026-12. */
function largeFile(rows: number): string {
  const monthly = ['OP-01', 'OP-02', 'OP-03', 'OP-04', 'RR-01', 'RR-02', 'VE-01', 'VE-02', 'VE-03', 'VE-04', 'FTF-01', 'FTF-02', 'FTF-03', 'TF-01', 'TF-02', 'TF-03', 'BS-01', 'BS-02', 'PR-01', 'PR-02', 'SI-01'];
  const lines = [HEADER];
  for (let i = 0; i < rows; i += 1) {
    const month = Math.floor(i / monthly.length);
    const period = `${2026 - Math.floor(month / 12)}-${String(12 - (month % 12)).padStart(2, '0')}`;
    lines.push(`${monthly[i % monthly.length]},KAZ,${period},${50 + (i % 40)},GREEN,B,2,`);
  }
  return file(`large-${rows}.csv`, `${lines.join('\n')}\n`);
}

describe('the command line', () => {
  let before: number;
  beforeAll(async () => {
    before = await observationCount();
    // PGlite's files are opened by one process at a time: the script gets them while this file waits.
    await database.close();
  });
  afterAll(async () => {
    database = await target.open();
  });

  it('exits 2 on a usage error before opening any database', async () => {
    const run = runScript(['observations', 'values.xlsx', '--org', 'kaz-ct', '--sub', 'x'], target.env);
    expect(await run.exit).toBe(2);
    expect(run.output().err).toMatch(/must end in .csv, .json or .ndjson\nusage: npm run import/);
  });

  it('MAX_FUTURE_PERIODS lets a forecast file through, that many periods ahead and no further', async () => {
    const path = file('forecast.csv', `${HEADER}\nOP-01,KAZ,${monthsAhead(1)},12,GREEN,B,2,\n`);
    const allowed = runScript(['observations', path, '--org', 'kaz-ct', '--sub', 'forecaster', '--dry-run'], { ...target.env, MAX_FUTURE_PERIODS: '1' });
    expect(await allowed.exit, allowed.output().err).toBe(0);
    expect(allowed.output().out).toMatch(/is valid\. Would record 1 observation /);
    const refused = runScript(['observations', path, '--org', 'kaz-ct', '--sub', 'forecaster', '--dry-run'], { ...target.env, MAX_FUTURE_PERIODS: '0' });
    expect(await refused.exit).toBe(1);
    expect(refused.output().err).toContain(`line 2: period: "${monthsAhead(1)}" is after the current period`);
  }, 60_000);

  it('a killed import leaves nothing behind: the one transaction never commits', async () => {
    const path = largeFile(30_000);
    const run = runScript(['observations', path, '--org', 'kaz-ct', '--sub', 'killed-importer'], target.env);
    // Killed once it reports rows written inside its transaction (periodic lines: stderr is not a terminal).
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/written \d+\/30000 rows/.test(run.output().err)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      void run.exit.then((code) => {
        clearInterval(timer);
        reject(new Error(`the import ended (${code}) before it could be killed:\n${run.output().err}`));
      });
    });
    run.child.kill('SIGKILL');
    expect(await run.exit).toBe('SIGKILL');
    expect(run.output().out).toBe('');

    database = await target.open();
    try {
      expect(await observationCount()).toBe(before);
      expect(await importEntries('killed-importer')).toEqual([]);
    } finally {
      await database.close();
    }
  }, 90_000);
});
