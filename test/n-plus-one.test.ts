import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
  // The first request of a process also takes the reference snapshot (counted in reference-cache.test.ts).
  await gql(api.url, '{ countries { iso3 } }');
});
afterAll(() => api?.stop());

/**
 * The server counts the SQL statements each request sends (x-sql-statements, outside production):
 * nested lists must cost the same number of statements whatever the page size (no N+1).
 */
describe('no N+1 queries', () => {
  const REPORTS = `query($first: Int) { reports(first: $first) { edges { node {
    id title countries { iso3 name } author { id name country { iso3 } } indicators { code name }
  } } } }`;

  it('a page of 50 reports with countries, authors and indicators takes as many statements as a page of 5', async () => {
    const small = await gql(api.url, REPORTS, { first: 5 });
    const large = await gql(api.url, REPORTS, { first: 50 });
    expect(small.errors).toBeUndefined();
    expect(large.data!.reports.edges).toHaveLength(50);
    expect(statementsOf(small)).toBeGreaterThan(0);
    expect(statementsOf(large)).toBe(statementsOf(small));
    expect(statementsOf(large)).toBeLessThanOrEqual(5);
  });

  it('nested connections under every country take a constant number of statements', async () => {
    const q = `query($first: Int) { countries { iso3
      reports(first: $first) { totalCount edges { node { id author { id reports(first: 2) { edges { node { id } } } } } } }
      observations(first: $first) { totalCount edges { node { value period level indicator { code } } } }
      latestValues { value indicator { code } }
    } }`;
    const small = await gql(api.url, q, { first: 2 });
    const large = await gql(api.url, q, { first: 40 });
    expect(small.errors).toBeUndefined();
    expect(large.errors).toBeUndefined();
    expect(statementsOf(large)).toBe(statementsOf(small));
    expect(statementsOf(large)).toBeLessThanOrEqual(10);
  });

  it('indicators with their latest values and observations per country', async () => {
    const q = `{ indicators { code latestValues { value country { iso3 } } observations(first: 12) { edges { node { value country { name } } } } } }`;
    const response = await gql(api.url, q);
    expect(response.errors).toBeUndefined();
    expect(response.data!.indicators.length).toBeGreaterThan(20);
    expect(statementsOf(response)).toBeLessThanOrEqual(5);
  });
});
