import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleData } from '../src/db/seed/index.js';
import { parseImportArgs, runImport } from '../src/import/command.js';
import { GRADING_EXTENSION_ID } from '../src/stix/extensions.js';
import { INBOX } from '../src/stix/inbox.js';
import { tlpMarkingDefinition, tlpMarkingId } from '../src/stix/markings.js';
import { identityIdOf, locationIdOf } from '../src/stix/reference.js';
import { stixSchemasDir } from '../src/stix/schemas.js';
import { admin, gql, startTestApp, type TestApp } from './support/app.js';
import { bundleErrors, stixErrors, type AnyStix } from './support/stix-schemas.js';
import { createIdentityProvider, headersFor, PERSONAS, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

/**
 * STIX in, for reports (issue 16 item 3), spoken to as a partner platform does: bundles pushed to the
 * TAXII inbox with real tokens, read back through TAXII and GraphQL; the same import through
 * `npm run import -- stix`; and the round trip through an empty instance.
 */

const TAXII = 'application/taxii+json;version=2.1';
const ROOT = '/taxii2/ctewn';
let api: TestApp;
let idp: TestIdentityProvider;
let files: string;
let reportsCollection: string;

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  files = mkdtempSync(join(tmpdir(), 'ctewn-stix-import-'));
  const list = await taxii(api, `${ROOT}/collections/`);
  reportsCollection = list.body.collections.find((c: { title: string }) => c.title === 'CT-EWN reports').id;
}, 180_000);
afterAll(async () => {
  await api?.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

type Auth = PersonaName | Record<string, string>;
const auth = async (who: Auth) => (typeof who === 'string' ? headersFor(idp, who) : who);

async function taxii(on: TestApp, path: string, who: Auth = 'anonymous') {
  const response = await fetch(`${on.url}${path}`, { headers: { accept: TAXII, ...(await auth(who)) } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function push(objects: unknown[], who: Auth = 'kazContributor', on: TestApp = api) {
  const response = await fetch(`${on.url}${ROOT}/collections/${INBOX.id}/objects/`, {
    method: 'POST',
    headers: { accept: TAXII, 'content-type': TAXII, ...(await auth(who)) },
    body: JSON.stringify({ objects }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** The STIX report as a persona reads it from the reports collection, or null if it may not. */
async function readBack(id: string, who: Auth = 'kazContributor', on: TestApp = api): Promise<AnyStix | null> {
  const r = await taxii(on, `${ROOT}/collections/${reportsCollection}/objects/?match[id]=${encodeURIComponent(id)}`, who);
  expect(r.status).toBe(200);
  return r.body.objects?.[0] ?? null;
}

/** Our id of an imported report, from the ct-ewn external reference. */
const ourId = (o: AnyStix) => (o.external_references as { source_name: string; external_id: string }[]).find((r) => r.source_name === 'ct-ewn')!.external_id;

function stixReport(over: Record<string, unknown> = {}): AnyStix & { id: string } {
  return {
    type: 'report',
    spec_version: '2.1',
    id: `report--${randomUUID()}`,
    created: '2026-11-02T08:00:00.000Z',
    modified: '2026-11-02T08:00:00.000Z',
    name: 'Recruitment channels moving to closed groups',
    description: 'Three channels moved to invitation-only groups.\n\nThe body: who, where, since when.',
    published: '2026-11-02T08:00:00.000Z',
    report_types: ['threat-report', 'situation-assessment'],
    labels: ['online-propaganda', 'osint'],
    lang: 'en',
    created_by_ref: identityIdOf('kaz-ct'),
    object_refs: [locationIdOf('KAZ'), 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b'],
    object_marking_refs: [tlpMarkingId('GREEN')],
    confidence: 70,
    x_ctewn_source_reliability: 'B',
    x_ctewn_information_credibility: 2,
    extensions: { [GRADING_EXTENSION_ID]: { extension_type: 'toplevel-property-extension' } },
    ...over,
  };
}

const REPORT = `query ($id: UUID!) { report(id: $id) { id revision tlp summary body kind topics language sourceReliability informationCredibility retractedAt title } }`;

async function graphqlReport(id: string, who: PersonaName = 'kazContributor') {
  const r = await gql(api.url, REPORT, { id }, await headersFor(idp, who));
  expect(r.errors).toBeUndefined();
  return r.data!.report;
}

const AUDIT = `query ($id: String!) { auditEvents(first: 20, filter: { reportId: $id, kind: "WRITE" }) { edges { node { action actorOrganizationId reason reportIds } } } }`;
async function writesOf(reportId: string) {
  const r = await gql(api.url, AUDIT, { id: reportId }, await headersFor(idp, 'auditor'));
  expect(r.errors).toBeUndefined();
  return r.data!.auditEvents.edges.map((e: { node: { action: string } }) => e.node);
}

describe('a report pushed to the inbox', () => {
  it('becomes a report of the token\'s organization, read back through TAXII with its id, version and mapping, and through GraphQL', async () => {
    const report = stixReport();
    const pushed = await push([tlpMarkingDefinition('GREEN'), report]);
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ status: 'complete', total_count: 2, success_count: 2, failure_count: 0, pending_count: 0 });
    expect(pushed.body.successes[1]).toMatchObject({ id: report.id, version: report.modified, message: expect.stringMatching(/^created report .*not kept: malware--31b940d4.*label "osint"/) });

    const back = (await readBack(report.id))!;
    expect(stixErrors(back)).toEqual([]);
    expect(back).toMatchObject({
      id: report.id,
      created: report.published,
      modified: report.modified,
      name: report.name,
      description: report.description,
      labels: ['online-propaganda'],
      report_types: ['threat-report', 'situation-assessment'],
      created_by_ref: identityIdOf('kaz-ct'),
      object_refs: [identityIdOf('kaz-ct'), locationIdOf('KAZ')],
      object_marking_refs: [tlpMarkingId('GREEN')],
      confidence: 70,
      x_ctewn_source_reliability: 'B',
      x_ctewn_information_credibility: 2,
    });
    const row = await graphqlReport(ourId(back));
    expect(row).toMatchObject({ tlp: 'GREEN', kind: 'SITUATION_ASSESSMENT', topics: ['ONLINE_PROPAGANDA'], language: 'EN', revision: 1, summary: 'Three channels moved to invitation-only groups.', body: 'The body: who, where, since when.', sourceReliability: 'B', informationCredibility: 2 });
  });

  it('is audited: the import\'s own entry beside createReport\'s, both by the pushing person', async () => {
    const report = stixReport();
    expect((await push([report])).body.success_count).toBe(1);
    const id = ourId((await readBack(report.id))!);
    const entries = await writesOf(id);
    expect(entries.map((e: { action: string }) => e.action).sort()).toEqual(['createReport', 'importStix']);
    expect(entries.find((e: { action: string }) => e.action === 'importStix')).toMatchObject({ actorOrganizationId: 'kaz-ct', reportIds: [id], reason: expect.stringMatching(/^STIX import from TAXII .*1 created, 0 revised/) });
  });

  it('again with the same version writes nothing (idempotent); a newer version is a revision; an older one is skipped', async () => {
    const report = stixReport();
    await push([report]);
    const id = ourId((await readBack(report.id))!);
    const again = await push([report]);
    expect(again.body.successes[0].message).toMatch(/^unchanged/);
    expect((await graphqlReport(id)).revision).toBe(1);
    expect(await writesOf(id)).toHaveLength(2);

    const newer = { ...report, modified: '2026-11-03T09:00:00.000Z', name: 'Recruitment channels: corrected', object_marking_refs: [tlpMarkingId('AMBER')] };
    expect((await push([newer])).body.successes[0].message).toMatch(/^revised report .* \(revision 2\)/);
    expect(await graphqlReport(id)).toMatchObject({ revision: 2, title: 'Recruitment channels: corrected', tlp: 'AMBER' });
    expect((await readBack(report.id))!).toMatchObject({ modified: newer.modified, name: newer.name });

    const older = { ...report, modified: '2026-11-02T12:00:00.000Z', name: 'an older version' };
    expect((await push([older])).body.successes[0].message).toMatch(/^skipped: older than the version/);
    expect(await graphqlReport(id)).toMatchObject({ revision: 2, title: 'Recruitment channels: corrected' });
  });

  it('the same id from another organization never revises this one\'s report: it becomes that organization\'s own', async () => {
    const report = stixReport();
    await push([report]);
    const kazId = ourId((await readBack(report.id))!);
    const unodc = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['contributor'] })}` };
    const theirs = { ...report, modified: '2026-11-09T00:00:00.000Z', name: 'Rewritten by someone else', created_by_ref: identityIdOf('unodc') };
    expect((await push([theirs], unodc)).body.successes[0].message).toMatch(/^created report/);
    expect(await graphqlReport(kazId)).toMatchObject({ revision: 1, title: report.name });
  });

  it('a version modified before its publication is held as sent: pushed again, it is unchanged', async () => {
    const report = stixReport({ published: '2026-11-03T00:00:00.000Z', modified: '2026-11-02T12:00:00.000Z' });
    await push([report]);
    expect((await push([report])).body.successes[0].message).toMatch(/^unchanged/);
  });

  it('revoked: the report is retracted, and served revoked', async () => {
    const report = stixReport();
    await push([report]);
    const id = ourId((await readBack(report.id))!);
    await push([{ ...report, modified: '2026-11-04T00:00:00.000Z', revoked: true }]);
    expect((await graphqlReport(id)).retractedAt).not.toBeNull();
    expect((await readBack(report.id))!).toMatchObject({ revoked: true, modified: '2026-11-04T00:00:00.000Z' });
  });

  it('keeps the row rule: an AMBER report is not read by an organization outside its circle', async () => {
    const report = stixReport({ object_marking_refs: [tlpMarkingId('AMBER')] });
    expect((await push([report])).body.success_count).toBe(1);
    expect(await readBack(report.id, 'kazContributor')).not.toBeNull();
    expect(await readBack(report.id, 'civilSociety')).toBeNull();
    expect(await readBack(report.id, 'anonymous')).toBeNull();
  });
});

describe('refusals name the object, and nothing of the bundle is written', () => {
  const refused = async (objects: AnyStix[], pattern: RegExp, who: Auth = 'kazContributor') => {
    const pushed = await push(objects, who);
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ status: 'complete', success_count: 0, failure_count: objects.length });
    const messages = pushed.body.failures.map((f: { id: string; message: string }) => `${f.id} ${f.message}`).join('\n');
    expect(messages).toMatch(pattern);
    for (const o of objects.filter((x) => x.type === 'report')) expect(await readBack(o.id!)).toBeNull();
    return pushed.body;
  };

  it('an unknown marking', async () => {
    const unknown = 'marking-definition--00000000-0000-4000-8000-000000000001';
    const good = stixReport();
    const bad = stixReport({ object_marking_refs: [unknown] });
    await refused([good, bad], new RegExp(`${bad.id} has a marking the network does not know: ${unknown} \\(not a TLP 2.0`));
  });

  it('a missing marking', async () => {
    const bad = stixReport({ object_marking_refs: undefined });
    await refused([bad], new RegExp(`${bad.id} has no marking`));
  });

  it('a TLP 1.0 marking, with the TLP 2.0 one to send instead', async () => {
    const bad = stixReport({ object_marking_refs: ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'] });
    await refused([bad], new RegExp(`${bad.id} has a marking the network does not know: .*TLP:AMBER \\(TLP 1.0; send TLP:AMBER or TLP:AMBER\\+STRICT`));
  });

  it('an object invalid against the official schemas, beside a valid report', async () => {
    const good = stixReport();
    const identity = { type: 'identity', spec_version: '2.1', id: `identity--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z' };
    const body = await refused([good, identity], new RegExp(`${identity.id} is not valid STIX 2.1: .*name`));
    expect(body.failures[0].message).toMatch(/^not written: the request was refused as a whole/);
  });

  it('a report created by another member of the network', async () => {
    const bad = stixReport({ created_by_ref: identityIdOf('unodc') });
    await refused([bad], new RegExp(`${bad.id} is created by unodc, another member`));
  });

  it('a report the GraphQL input rules refuse: no topic among its labels, a name over 300 characters', async () => {
    const noTopic = stixReport({ labels: ['osint'] });
    const longName = stixReport({ name: 'n'.repeat(301) });
    await refused([noTopic, longName], new RegExp(`${noTopic.id} topics must hold 1 to 10 themes \\(topics\\): give its topics as labels[^]*${longName.id} title must be 3 to 300 characters`));
  });

  it('a marking the member may not set (TLP:CLEAR without org-admin), named by the write policy', async () => {
    const bad = stixReport({ object_marking_refs: [tlpMarkingId('CLEAR')] });
    await refused([bad], new RegExp(`${bad.id} was refused: TLP:CLEAR \\(public release\\) needs the org-admin role`));
  });
});

describe('the schema repository\'s example bundles with reports', () => {
  // Both are valid STIX 2.1 (the import checks that first) and carry no marking and no location: a report the
  // network cannot mark or place is refused, each time naming the report and why.
  it.each(['threat-reports/apt1.json', 'threat-reports/poisonivy.json'])('%s is refused: no marking, no country', async (name) => {
    const bundle = JSON.parse(readFileSync(join(stixSchemasDir(), '..', 'examples', name), 'utf8')) as { objects: AnyStix[] };
    expect(bundleErrors(bundle)).toEqual([]);
    const report = bundle.objects.find((o) => o.type === 'report')!;
    const run = await importFile('stix', copy(name, bundle), '--org', 'kaz-ct', '--sub', PERSONAS.kazContributor.sub);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${report.id} has no marking`);
    expect(run.err).toContain(`${report.id} names no country of the network`);
    expect(run.err).toMatch(/nothing was written/);
    expect(await readBack(report.id!)).toBeNull();
  });

  // The other examples hold no report (one is a single campaign, not a bundle): refused as such.
  it.each([
    ['indicator-for-c2-ip-address.json', /holds no report object/],
    ['indicator-to-campaign-relationship.json', /holds no report object/],
    ['indicators-for-C2-with-COA.json', /holds no report object/],
    ['infrastructure.json', /holds no report object/],
    ['malicious-email-indicator-with-attachment.json', /holds no report object/],
    ['interop-objectmarking-test.json', /is not a STIX 2.1 bundle/],
  ])('%s is refused: %s', async (name, reason) => {
    const bundle = JSON.parse(readFileSync(join(stixSchemasDir(), '..', 'examples', name), 'utf8'));
    const run = await importFile('stix', copy(name, bundle), '--org', 'kaz-ct', '--sub', PERSONAS.kazContributor.sub);
    expect(run.code, run.err).toBe(1);
    expect(run.err).toMatch(reason);
    expect(run.err).toMatch(/nothing was written/);
  });

  it('the examples folder holds exactly the files tested here', () => {
    expect(readdirSync(join(stixSchemasDir(), '..', 'examples'), { recursive: true }).filter((f) => String(f).endsWith('.json')).sort()).toEqual(
      ['indicator-for-c2-ip-address.json', 'indicator-to-campaign-relationship.json', 'indicators-for-C2-with-COA.json', 'infrastructure.json', 'interop-objectmarking-test.json', 'malicious-email-indicator-with-attachment.json', 'threat-reports/apt1.json', 'threat-reports/poisonivy.json'].sort(),
    );
  });
});

function copy(name: string, content: unknown): string {
  const path = join(files, name.replace(/\//g, '-'));
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function importFile(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runImport(api.app.database.db, parseImportArgs(argv), {
    out: (text) => (out += text),
    err: (text) => (err += text),
    progress: { write: (text: string) => (err += text), isTTY: false },
  });
  return { code, out, err };
}

describe('npm run import -- stix', () => {
  it('imports a bundle file as --org/--sub; --dry-run says what it would write and writes nothing', async () => {
    const report = stixReport();
    const path = copy(`cli-${randomUUID()}.json`, { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [tlpMarkingDefinition('GREEN'), report] });
    const dry = await importFile('stix', path, '--org', 'kaz-ct', '--sub', PERSONAS.kazContributor.sub, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/Dry run: .* Would write as kaz-ct \(sample:kaz-ct:analyst-1\): 1 created, 0 revised/);
    expect(await readBack(report.id)).toBeNull();
    const run = await importFile('stix', path, '--org', 'kaz-ct', '--sub', PERSONAS.kazContributor.sub);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/Imported .* 1 created/);
    expect(await readBack(report.id)).toMatchObject({ id: report.id, name: report.name });
    const again = await importFile('stix', path, '--org', 'kaz-ct', '--sub', PERSONAS.kazContributor.sub);
    expect(again.out).toMatch(/0 created, 0 revised, 1 unchanged/);
  });

  it('usage errors: a file that is not .json, --idempotency-key', () => {
    expect(() => parseImportArgs(['stix', 'bundle.csv', '--org', 'kaz-ct', '--sub', 'x'])).toThrow(/a STIX bundle is a .json file/);
    expect(() => parseImportArgs(['stix', 'bundle.json', '--org', 'kaz-ct', '--sub', 'x', '--idempotency-key', '12345678'])).toThrow(/idempotent by the objects' ids/);
  });
});

describe('round trip: export as one organization, import on an empty instance, export again', () => {
  /** An instance with the network's reference data and no report at all. */
  async function emptyInstance(): Promise<{ app: TestApp; drop: () => Promise<void> }> {
    let app: TestApp;
    let drop = async () => {};
    if (process.env.TEST_DATABASE_URL) {
      const url = new URL(process.env.TEST_DATABASE_URL);
      const name = `${url.pathname.slice(1)}_empty_${process.pid}`;
      await admin(`drop database if exists "${name}" with (force)`, url);
      await admin(`create database "${name}"`, url);
      url.pathname = `/${name}`;
      app = await startTestApp({ ...idp.env, DATABASE_URL: url.toString() });
      drop = () => admin(`drop database if exists "${name}" with (force)`, url);
    } else {
      app = await startTestApp({ ...idp.env, DATABASE_URL: '', SEED_SAMPLE_DATA: 'false' });
    }
    await seedSampleData(app.app.database.db, { reports: 0 });
    app.app.database.reference.invalidate();
    return { app, drop };
  }

  /** A member who may write every marking of its organization's reports (CLEAR needs org-admin). */
  const kazWriter = async () => ({ authorization: `Bearer ${await idp.sign({ sub: PERSONAS.kazContributor.sub, org: 'kaz-ct', roles: ['contributor', 'org-admin'] })}` });

  async function exportOwn(on: TestApp): Promise<AnyStix[]> {
    const objects: AnyStix[] = [];
    let next: string | null = null;
    do {
      const r = await taxii(on, `${ROOT}/collections/${reportsCollection}/objects/?limit=1000${next ? `&next=${encodeURIComponent(next)}` : ''}`, await kazWriter());
      expect(r.status).toBe(200);
      objects.push(...(r.body.objects ?? []));
      next = r.body.more ? r.body.next : null;
    } while (next);
    return objects.filter((o) => o.created_by_ref === identityIdOf('kaz-ct')).sort((a, b) => (a.id! < b.id! ? -1 : 1));
  }

  /** The one property that names the instance's own record (our id and revision there) is left out. */
  const withoutOwnRecord = (o: AnyStix) => ({ ...o, external_references: (o.external_references as { source_name: string }[]).filter((r) => r.source_name !== 'ct-ewn') });

  it('gives the same objects (ids, versions, markings, grading, references)', async () => {
    const exported = await exportOwn(api);
    expect(exported.length).toBeGreaterThan(20);
    expect(new Set(exported.map((o) => (o.object_marking_refs as string[])[0])).size).toBeGreaterThan(2);
    const empty = await emptyInstance();
    try {
      expect(await exportOwn(empty.app)).toEqual([]);
      const markings = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'].map((m) => tlpMarkingDefinition(m));
      for (let i = 0; i < exported.length; i += 100) {
        const pushed = await push([...markings, ...exported.slice(i, i + 100)], await kazWriter(), empty.app);
        expect(pushed.status).toBe(202);
        expect(pushed.body.failure_count, JSON.stringify(pushed.body.failures?.slice(0, 3))).toBe(0);
      }
      const again = await exportOwn(empty.app);
      expect(again.map(withoutOwnRecord)).toEqual(exported.map(withoutOwnRecord));
    } finally {
      await empty.app.stop();
      await empty.drop();
    }
  }, 180_000);
});
