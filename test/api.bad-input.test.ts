import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp, type GraphQLResponse } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { connect } from './support/ws.js';
import { reportDraft } from './support/drafts.js';

/** What the server logs at error level: bad input is the client's mistake, never an unexpected error (with SQL). */
const errorLog: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line.trim() && (JSON.parse(line) as { level: number }).level >= 50) errorLog.push(line);
    done();
  },
});

let api: TestApp;
let idp: TestIdentityProvider;
let contributor: Record<string, string>;
let member: Record<string, string>;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, LOG_LEVEL: 'error' }, { logStream });
  contributor = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
  member = { authorization: `Bearer ${await idp.sign({ sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['analyst'] })}` };
});
afterAll(() => api?.stop());

/** What no error response may contain: stack frames, SQL, file paths. */
function expectNoInternals(response: GraphQLResponse) {
  const text = JSON.stringify(response);
  expect(text).not.toMatch(/stacktrace|at .*\(.*:\d+:\d+\)|\/work\/|node_modules|select |from "|relation "|syntax error at/i);
}

function expectBadInput(response: GraphQLResponse, message: RegExp, field?: string) {
  expect(response.errors?.length).toBeGreaterThan(0);
  expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  expect(response.errors![0]!.message).toMatch(message);
  if (field !== undefined) expect(response.errors![0]!.extensions!.field).toBe(field);
  expectNoInternals(response);
  expect(errorLog.splice(0)).toEqual([]);
}

const REPORTS = 'query($filter: ReportFilter, $first: Int, $after: String) { reports(filter: $filter, first: $first, after: $after) { totalCount edges { node { id } } } }';

describe('bad input gets a clear BAD_USER_INPUT error', () => {
  it('an unknown country code in a filter', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { country: 'XXX' } }), /Unknown country code "XXX"/);
  });

  it('a country code of the wrong form', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { country: 'tajikistan' } }), /ISO 3166-1 alpha-3/);
    expectBadInput(await gql(api.url, '{ country(iso3: "tj") { iso3 } }'), /ISO 3166-1 alpha-3/);
  });

  it('an unknown author organization', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { author: 'no-such-org' } }), /Unknown organization/);
  });

  it('a malformed or foreign cursor', async () => {
    expectBadInput(await gql(api.url, REPORTS, { after: 'not-a-cursor' }), /cursor is not valid/);
    const orgs = await gql(api.url, '{ organizations(first: 1) { pageInfo { endCursor } } }');
    expectBadInput(await gql(api.url, REPORTS, { after: orgs.data!.organizations.pageInfo.endCursor }), /cursor is not valid/);
  });

  it('a page size outside 1..100', async () => {
    expectBadInput(await gql(api.url, REPORTS, { first: 1000 }), /first must be between 1 and 100/);
    expectBadInput(await gql(api.url, REPORTS, { first: 0 }), /first must be between 1 and 100/);
    expectBadInput(await gql(api.url, '{ countries { reports(first: 101) { totalCount } } }'), /first must be between 1 and 100/);
  });

  it('an invalid date, as a variable or in the document', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { publishedFrom: '2024-02-31T00:00:00Z' } }), /DateTime/i);
    expectBadInput(await gql(api.url, '{ reports(filter: { publishedFrom: "yesterday" }) { totalCount } }'), /DateTime/i);
  });

  it('an invalid period', async () => {
    expectBadInput(await gql(api.url, '{ indicator(code: "OP-01") { observations(from: "2024-13") { totalCount } } }'), /not a period/);
  });

  it('a search string of 10 KB', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { search: 'x'.repeat(10_240) } }), /search must be at most 200 characters/);
  });

  it('an id that is not a UUID', async () => {
    expectBadInput(await gql(api.url, 'query($id: UUID!) { report(id: $id) { id } }', { id: "1' or 1=1 --" }), /UUID/);
  });

  it('search syntax that PostgreSQL would choke on is just text', async () => {
    const response = await gql(api.url, REPORTS, { filter: { search: `"unbalanced & | ! (:* '` } });
    expect(response.errors).toBeUndefined();
  });
});

describe('errors never show internals', () => {
  it('a syntax error is a parse error with no stack', async () => {
    const response = await gql(api.url, '{ reports( ');
    expect(response.status).toBe(400);
    expect(response.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expectNoInternals(response);
  });

  it('an unknown field is a validation error with no stack', async () => {
    const response = await gql(api.url, '{ reports { nope } }');
    expect(response.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expectNoInternals(response);
  });
});

/** A cursor as the server encodes them (src/schema/common/cursor.ts), with forged contents. */
const forged = (...values: unknown[]) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

describe('forged cursors are bad input, never a database error', () => {
  const uuid = '7d0c3b4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f';
  const instant = '2024-01-01T00:00:00.000Z';

  it('a report cursor with a malformed UUID or an instant PostgreSQL cannot read', async () => {
    for (const after of [
      forged('PUBLISHED_DESC', instant, '------------------------------------'),
      forged('PUBLISHED_DESC', instant, 'abcdef01-2345-6789-abcd-ef012345678'),
      forged('PUBLISHED_DESC', '+275760-09-13T00:00:00.000Z', uuid),
      forged('UPDATED_DESC', '2024-02-31T00:00:00.000Z', uuid),
    ]) {
      expectBadInput(await gql(api.url, REPORTS, { after }), /cursor is not valid/, 'after');
    }
  });

  it('an alert cursor with a date PostgreSQL cannot read, or a malformed UUID', async () => {
    const ALERTS = 'query($after: String) { alerts(first: 5, after: $after) { totalCount } }';
    expectBadInput(await gql(api.url, ALERTS, { after: forged('alert', '1', uuid) }, member), /cursor is not valid/, 'after');
    expectBadInput(await gql(api.url, ALERTS, { after: forged('alert', '+275760-09-13T00:00:00.000Z', uuid) }, member), /cursor is not valid/, 'after');
    expectBadInput(await gql(api.url, ALERTS, { after: forged('alert', instant, `${'0'.repeat(35)}-`) }, member), /cursor is not valid/, 'after');
  });

  it('an observation cursor with an impossible date or a NUL byte', async () => {
    const OBSERVATIONS = 'query($after: String) { indicator(code: "OP-01") { observations(first: 5, after: $after) { totalCount } } }';
    expectBadInput(await gql(api.url, OBSERVATIONS, { after: forged('obs', '2024-13-45', 'OP-01', 'KAZ') }), /cursor is not valid/, 'after');
    expectBadInput(await gql(api.url, OBSERVATIONS, { after: forged('obs', '2024-01-01', 'OP-01', 'KA\u0000Z') }), /cursor is not valid/, 'after');
  });

  it('an alert id that has the characters of a UUID but not its form', async () => {
    const ACK = 'mutation($id: String!) { acknowledgeAlert(id: $id, note: "Checked with the field office") { id } }';
    expectBadInput(await gql(api.url, ACK, { id: '-'.repeat(36) }, member), /UUID/, 'id');
    expectBadInput(await gql(api.url, ACK, { id: `${'a'.repeat(32)}----` }, member), /UUID/, 'id');
  });

  it('an organization cursor with a NUL byte', async () => {
    const ORGS = 'query($after: String) { organizations(first: 5, after: $after) { totalCount } }';
    expectBadInput(await gql(api.url, ORGS, { after: forged('org', 'kaz\u0000ct') }), /cursor is not valid/, 'after');
  });
});

const CREATE = 'mutation($input: CreateReportInput!) { createReport(input: $input) { id title body } }';
const draft = reportDraft;

describe('text arguments: no NUL, no control characters, no bidirectional overrides (one check for every operation)', () => {
  const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];

  it('a NUL byte in a title, as a variable or in the document', async () => {
    expectBadInput(await gql(api.url, CREATE, { input: draft({ title: 'Recruitment\u0000channels' }) }, contributor), /input\.title .*U\+0000/, 'input.title');
    const inline = `mutation { createReport(input: { title: "Recruitment\\u0000channels", language: EN, summary: "s", body: "b", kind: SITUATION_ASSESSMENT, topics: [ONLINE_PROPAGANDA], countries: ["KAZ"], tlp: GREEN, sourceReliability: B, informationCredibility: 2 }) { id } }`;
    expectBadInput(await gql(api.url, inline, {}, contributor), /U\+0000/, 'input.title');
  });

  it('a NUL byte in `search`, at the root and in a nested list', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { search: 'opium\u0000' } }), /U\+0000/, 'filter.search');
    expectBadInput(await gql(api.url, '{ countries { reports(filter: { search: "opium\\u0000" }) { totalCount } } }'), /U\+0000/, 'filter.search');
    expectBadInput(await gql(api.url, '{ organizations(filter: { search: "un\\u0000" }) { totalCount } }'), /U\+0000/, 'filter.search');
  });

  it('every bidirectional override and isolate in a title, and one in a list element', async () => {
    for (const mark of BIDI) {
      expectBadInput(await gql(api.url, CREATE, { input: draft({ title: `Report ${mark}gpj.exe` }) }, contributor), /bidirectional/, 'input.title');
    }
    expectBadInput(await gql(api.url, CREATE, { input: draft({ countries: ['KAZ', 'T\u202EJK'] }) }, contributor), /bidirectional/, 'input.countries[1]');
  });

  it('C0 and C1 control characters in any text, and line breaks or tabs in single-line text', async () => {
    expectBadInput(await gql(api.url, CREATE, { input: draft({ body: 'bell \u0007' }) }, contributor), /control character/, 'input.body');
    expectBadInput(await gql(api.url, CREATE, { input: draft({ summary: 'escape \u001B[31m red' }) }, contributor), /control character/, 'input.summary');
    expectBadInput(await gql(api.url, CREATE, { input: draft({ summary: 'next line \u0085' }) }, contributor), /control character/, 'input.summary');
    expectBadInput(await gql(api.url, CREATE, { input: draft({ title: 'two\nlines' }) }, contributor), /single-line/, 'input.title');
    expectBadInput(await gql(api.url, CREATE, { input: draft({ title: 'tab\there' }) }, contributor), /single-line/, 'input.title');
    expectBadInput(await gql(api.url, 'query($c: String!) { country(iso3: $c) { iso3 } }', { c: 'KA\rZ' }), /single-line/, 'iso3');
  });

  it('the same rule for the text parameters of /export', async () => {
    for (const query of ['search=opium%00', 'search=%E2%80%AEexe', 'author=kaz%0Act']) {
      const response = await fetch(`${api.url}/export/reports.csv?${query}`, { headers: member });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0]!.message).toMatch(/control character|bidirectional|line break/);
    }
    expect(errorLog.splice(0)).toEqual([]);
  });

  it('the same rule for a subscription argument over WebSocket', async () => {
    const socket = await connect(api.url, member.authorization);
    try {
      const query = 'subscription($c: String) { alertRaised(country: $c) { id } }';
      const refused = await socket.send({ query, variables: { c: 'K\u202EZA' } }, 2_000);
      expect(refused.open).toBe(false);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/country may not contain U\+202E/);
      expect((await socket.send({ query, variables: { c: 'KAZ' } })).open).toBe(true);
    } finally {
      await socket.close();
    }
  });

  it('an unpaired surrogate', async () => {
    expectBadInput(await gql(api.url, REPORTS, { filter: { search: 'half \uD800 a pair' } }), /unpaired surrogate/, 'filter.search');
  });

  it('is checked before anything is written', async () => {
    const before = (await gql(api.url, '{ reports(first: 1) { totalCount } }', {}, contributor)).data!.reports.totalCount as number;
    expectBadInput(await gql(api.url, CREATE, { input: draft({ title: 'Stored \u202Eexe.fdp' }) }, contributor), /bidirectional/, 'input.title');
    expect((await gql(api.url, '{ reports(first: 1) { totalCount } }', {}, contributor)).data!.reports.totalCount).toBe(before);
  });

  it('the list of multi-line fields names only fields that exist (else the schema does not build)', async () => {
    const { MULTI_LINE_TEXT, refuseUnsafeText } = await import('../src/schema/common/text-input.js');
    const schema = await (await import('../src/schema/build.js')).buildBareSchema();
    expect(() => refuseUnsafeText(schema)).not.toThrow();
    expect(() => refuseUnsafeText(schema, [...MULTI_LINE_TEXT, 'CreateReportInput.noSuchField'])).toThrow(/CreateReportInput\.noSuchField/);
  });

  it('multi-line text keeps its line breaks and tabs; other scripts and marks are text like any other', async () => {
    const body = 'First paragraph.\r\n\r\n\tIndented: Қазақстан, Тоҷикистон, العربية, עברית, 中文 — “quotes”, emoji 🛰️, RLM \u200F.';
    const created = await gql(api.url, CREATE, { input: draft({ title: 'Отчёт: Қазақстан — العربية', body }) }, contributor);
    expect(created.errors).toBeUndefined();
    expect(created.data!.createReport).toMatchObject({ title: 'Отчёт: Қазақстан — العربية', body });
  });
});
