import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp, type GraphQLResponse } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

/** What no error response may contain: stack frames, SQL, file paths. */
function expectNoInternals(response: GraphQLResponse) {
  const text = JSON.stringify(response);
  expect(text).not.toMatch(/stacktrace|at .*\(.*:\d+:\d+\)|\/work\/|node_modules|select |from "|relation "|syntax error at/i);
}

function expectBadInput(response: GraphQLResponse, message: RegExp) {
  expect(response.errors?.length).toBeGreaterThan(0);
  expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  expect(response.errors![0]!.message).toMatch(message);
  expectNoInternals(response);
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
