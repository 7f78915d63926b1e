import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashDocument } from '../src/auth/access-log.js';
import { openDatabase } from '../src/db/database.js';
import { auditEvents } from '../src/db/schema/audit.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { reportOracle } from './support/oracle.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

async function entriesFor(operationName: string) {
  await api.app.accessLog.flush();
  return api.app.database.db.select().from(auditEvents).where(eq(auditEvents.operationName, operationName)).orderBy(auditEvents.id);
}

async function oneReport(tlp: string, authorOrgId?: string) {
  const [row] = await api.app.database.db
    .select({ id: reports.id, author: reports.authorOrgId })
    .from(reports)
    .where(and(eq(reports.tlp, tlp as 'GREEN'), authorOrgId ? eq(reports.authorOrgId, authorOrgId) : undefined))
    .limit(1);
  return row!;
}

describe('the access log records restricted reads', () => {
  it('a member reading a GREEN report: who, which organization, the operation, a hash of the document, the record', async () => {
    const report = await oneReport('GREEN');
    const query = 'query ReadGreen($id: UUID!) { report(id: $id) { id title } }';
    await gql(api.url, query, { id: report.id }, await headersFor(idp, 'scoRats'));
    const [entry] = await entriesFor('ReadGreen');
    expect(entry).toMatchObject({
      kind: 'READ',
      actorSub: 'sample:sco-rats:analyst-1',
      actorOrgId: 'sco-rats',
      documentHash: hashDocument(query),
      reportIds: [report.id],
      originOrgIds: [report.author],
      deniedFields: [],
    });
  });

  it('a refused field is logged as DENIED with the field', async () => {
    const report = await oneReport('CLEAR');
    await gql(api.url, 'query DeniedField($id: UUID!) { report(id: $id) { id sourceDescription } }', { id: report.id });
    const [entry] = await entriesFor('DeniedField');
    expect(entry).toMatchObject({ kind: 'DENIED', actorSub: null, actorOrgId: null, deniedFields: ['Report.sourceDescription'], reportIds: [] });
  });

  it('a restricted field given is logged with the field and the owner of the record', async () => {
    const report = await oneReport('CLEAR', 'unodc');
    await gql(api.url, 'query GivenField($id: UUID!) { report(id: $id) { sourceDescription } }', { id: report.id }, await headersFor(idp, 'committee1267'));
    const [entry] = await entriesFor('GivenField');
    expect(entry).toMatchObject({ kind: 'READ', fields: ['Report.sourceDescription'], originOrgIds: ['unodc'] });
  });

  it('reading only public data is not logged', async () => {
    await gql(api.url, 'query PublicOnly { countries { iso3 } reports(first: 5) { edges { node { id title } } } }');
    expect(await entriesFor('PublicOnly')).toEqual([]);
  });

  it('every non-CLEAR record of a nested list is logged, whatever the path', async () => {
    const response = await gql(
      api.url,
      'query Nested { countries { reports(first: 3, filter: { tlp: GREEN }) { edges { node { id author { reports(first: 2, filter: { tlp: GREEN }) { edges { node { id } } } } } } } } }',
      {},
      await headersFor(idp, 'expert'),
    );
    const ids = new Set<string>();
    JSON.stringify(response.data, (key, value) => {
      if (key === 'id') ids.add(value);
      return value;
    });
    const [entry] = await entriesFor('Nested');
    expect(new Set(entry!.reportIds)).toEqual(ids);
  });
});

describe('reading the access log', () => {
  it("auditors read the whole log; the report's organization reads its report's log; others are refused", async () => {
    const report = await oneReport('GREEN', 'unodc');
    await gql(api.url, 'query Probe($id: UUID!) { report(id: $id) { id } }', { id: report.id }, await headersFor(idp, 'scoRats'));
    await api.app.accessLog.flush();
    const AUDIT = 'query($id: String) { auditEvents(first: 5, filter: { reportId: $id }) { totalCount edges { node { actorOrganizationId operationName reportIds } } } }';
    const byAuditor = await gql(api.url, AUDIT, { id: report.id }, await headersFor(idp, 'auditor'));
    expect(byAuditor.errors).toBeUndefined();
    expect(byAuditor.data!.auditEvents.edges.map((e: any) => e.node)).toContainEqual({ actorOrganizationId: 'sco-rats', operationName: 'Probe', reportIds: [report.id] });
    const byAnalyst = await gql(api.url, AUDIT, { id: report.id }, await headersFor(idp, 'unodcAnalyst'));
    expect(byAnalyst.data!.auditEvents).toBeNull();
    expect(byAnalyst.errors![0]!.extensions!.code).toBe('FORBIDDEN');

    const LOG = 'query($id: UUID!) { report(id: $id) { accessLog(first: 10) { edges { node { actorOrganizationId operationName } } } } }';
    const owner = await gql(api.url, LOG, { id: report.id }, await headersFor(idp, 'unodcAnalyst'));
    expect(owner.data!.report.accessLog.edges.map((e: any) => e.node)).toContainEqual({ actorOrganizationId: 'sco-rats', operationName: 'Probe' });
    const other = await gql(api.url, LOG, { id: report.id }, await headersFor(idp, 'scoRats'));
    expect(other.data!.report.accessLog).toBeNull();
    expect(other.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe("a record's access log shows what concerns that record, never the records its reader may not see", () => {
  const LOG = `query($id: UUID!) { report(id: $id) { accessLog(first: 50) { edges { node { operationName reportIds observationIds grantIds fields deniedFields } } } } }`;
  const AUDIT = `query($id: String) { auditEvents(first: 50, filter: { reportId: $id }) { edges { node { operationName reportIds fields deniedFields } } } }`;
  type Entry = { operationName: string; reportIds: string[]; observationIds: string[]; grantIds: string[]; fields: string[]; deniedFields: string[] };
  const entry = (response: { data?: any }, path: 'report' | 'auditEvents', name: string): Entry => {
    const edges = path === 'report' ? response.data!.report.accessLog.edges : response.data!.auditEvents.edges;
    return edges.map((e: { node: Entry }) => e.node).find((n: Entry) => n.operationName === name);
  };
  let owned: string;
  let hidden: string[];
  beforeAll(async () => {
    owned = (await oneReport('GREEN', 'unodc')).id;
    // Records sco-rats may see and UNODC may not; the first is sco-rats's own, so it reads its restricted fields.
    const oracle = await reportOracle(api.app.database.db);
    const unodc = oracle('unodcAnalyst');
    const shadow = [...oracle('scoRats')].filter((id) => !unodc.has(id));
    const own = await api.app.database.db.select({ id: reports.id }).from(reports).where(eq(reports.authorOrgId, 'sco-rats'));
    const ownIds = new Set(own.map((r) => r.id));
    hidden = [shadow.find((id) => ownIds.has(id))!, ...shadow.filter((id) => !ownIds.has(id)).slice(0, 2)];
    expect(hidden.every(Boolean)).toBe(true);
  });

  it('a request that read the report beside hidden records and their restricted fields: the owner sees this report and its fields only', async () => {
    const query = `query Mixed($o: UUID!, $a: UUID!, $b: UUID!, $c: UUID!) {
      o: report(id: $o) { id sourceDescription sanctionsReferences }
      a: report(id: $a) { id sourceDescription sanctionsReferences }
      b: report(id: $b) { id sourceDescription }
      c: report(id: $c) { id sharedWith { id } }
    }`;
    const read = await gql(api.url, query, { o: owned, a: hidden[0], b: hidden[1], c: hidden[2] }, await headersFor(idp, 'scoRats'));
    expect([read.data!.a, read.data!.b, read.data!.c].every(Boolean)).toBe(true);
    await api.app.accessLog.flush();

    const owner = entry(await gql(api.url, LOG, { id: owned }, await headersFor(idp, 'unodcAnalyst')), 'report', 'Mixed');
    expect(owner.reportIds).toEqual([owned]);
    expect(owner.observationIds).toEqual([]);
    // On its report sco-rats was refused both fields; what it read on its own records is not UNODC's to know.
    expect(owner.fields).toEqual([]);
    expect([...owner.deniedFields].sort()).toEqual(['Report.sanctionsReferences', 'Report.sourceDescription']);

    // The auditor reads the whole entry.
    const whole = entry(await gql(api.url, AUDIT, { id: owned }, await headersFor(idp, 'auditor')), 'auditEvents', 'Mixed');
    expect([...whole.reportIds].sort()).toEqual([owned, ...hidden].sort());
    expect(whole.fields).toEqual(expect.arrayContaining(['Report.sourceDescription', 'Report.sanctionsReferences']));
    expect(whole.deniedFields).toEqual(expect.arrayContaining(['Report.sharedWith']));
  });

  it("an export's entry, read through the report: the exported records the owner may see, and the columns given on every row", async () => {
    const exported = await fetch(`${api.url}/export/reports.ndjson`, { headers: await headersFor(idp, 'scoRats') });
    expect(exported.status).toBe(200);
    await exported.text();
    await api.app.accessLog.flush();
    const oracle = await reportOracle(api.app.database.db);
    const unodc = oracle('unodcAnalyst');
    const shadow = [...oracle('scoRats')].filter((id) => !unodc.has(id));

    const owner = entry(await gql(api.url, LOG, { id: owned }, await headersFor(idp, 'unodcAnalyst')), 'report', 'export:reports.ndjson');
    expect(owner.reportIds).toContain(owned);
    expect(owner.reportIds.filter((id) => shadow.includes(id))).toEqual([]);
    expect([...owner.fields].sort()).toEqual(['Report.informationCredibility', 'Report.sourceReliability']);
    const whole = entry(await gql(api.url, AUDIT, { id: owned }, await headersFor(idp, 'auditor')), 'auditEvents', 'export:reports.ndjson');
    expect(whole.reportIds.filter((id) => shadow.includes(id)).length).toBeGreaterThan(10);
  });
});

describe('entries are never lost on a graceful shutdown', () => {
  it('pending read entries are written before the database closes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctewn-audit-'));
    try {
      const app = await startTestApp({ ...idp.env, DATA_DIR: dataDir, DATABASE_URL: '' });
      const report = await api.app.database.db.select({ id: reports.id }).from(reports).where(eq(reports.tlp, 'GREEN')).limit(1);
      await gql(app.url, 'query BeforeShutdown($id: UUID!) { report(id: $id) { id } }', { id: report[0]!.id }, await headersFor(idp, 'expert'));
      expect(app.app.accessLog.pendingCount).toBe(1);
      await app.stop();
      const reopened = await openDatabase({ dataDir });
      const rows = await reopened.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.operationName, 'BeforeShutdown'));
      await reopened.close();
      expect(rows[0]!.n).toBe(1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
