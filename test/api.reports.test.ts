import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

const PAGE = `query($filter: ReportFilter, $first: Int, $after: String, $orderBy: ReportOrder) {
  reports(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title summary body tlp publishedAt updatedAt topics kind author { id } countries { iso3 } } }
  }
}`;

type Node = { id: string; title: string; summary: string; body: string; tlp: string; publishedAt: string; updatedAt: string; topics: string[]; kind: string; author: { id: string }; countries: { iso3: string }[] };
const nodes = (data: any): Node[] => data.reports.edges.map((e: { node: Node }) => e.node);

describe('reports', () => {
  it('finds reports on Tajikistan about propaganda, with cursors and totalCount', async () => {
    const { data, errors } = await gql(api.url, PAGE, { first: 5, filter: { country: 'TJK', search: 'propaganda' } });
    expect(errors).toBeUndefined();
    const found = nodes(data);
    expect(found.length).toBeGreaterThan(0);
    expect(data!.reports.totalCount).toBeGreaterThanOrEqual(found.length);
    for (const report of found) {
      expect(report.countries.map((c) => c.iso3)).toContain('TJK');
      expect(`${report.title} ${report.summary} ${report.body}`.toLowerCase()).toMatch(/propaganda|пропаганд/);
    }
    expect(data!.reports.edges.every((e: { cursor: string }) => typeof e.cursor === 'string' && e.cursor.length > 0)).toBe(true);
  });

  it('searches Russian text with Russian word forms', async () => {
    const { data, errors } = await gql(api.url, PAGE, { first: 10, filter: { search: 'пропаганды' } });
    expect(errors).toBeUndefined();
    const found = nodes(data);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((r) => /пропаганд/i.test(`${r.title} ${r.summary} ${r.body}`))).toBe(true);
  });

  it('shows an anonymous caller TLP:CLEAR reports only, and counts only those', async () => {
    const { data } = await gql(api.url, PAGE, { first: 100 });
    expect(nodes(data).every((r) => r.tlp === 'CLEAR')).toBe(true);
    const green = await gql(api.url, PAGE, { first: 10, filter: { tlp: 'GREEN' } });
    expect(green.data!.reports.totalCount).toBe(0);
    expect(nodes(green.data)).toEqual([]);
  });

  it('walks every page exactly once, in order, whatever the page size', async () => {
    const filter = { country: 'KGZ' };
    const seen: Node[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gql(api.url, PAGE, { first: 37, after, filter });
      expect(page.errors).toBeUndefined();
      seen.push(...nodes(page.data));
      expect(page.data.reports.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.data.reports.pageInfo.hasNextPage) break;
      after = page.data.reports.pageInfo.endCursor;
    }
    const total = (await gql(api.url, PAGE, { first: 1, filter })).data!.reports.totalCount;
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((r) => r.id)).size).toBe(total);
    const keys = seen.map((r) => r.publishedAt);
    expect([...keys].sort().reverse()).toEqual(keys);
  });

  it('orders oldest first or by last revision on request', async () => {
    const asc = nodes((await gql(api.url, PAGE, { first: 20, orderBy: 'PUBLISHED_ASC' })).data).map((r) => r.publishedAt);
    expect([...asc].sort()).toEqual(asc);
    const updated = nodes((await gql(api.url, PAGE, { first: 20, orderBy: 'UPDATED_DESC' })).data).map((r) => r.updatedAt);
    expect([...updated].sort().reverse()).toEqual(updated);
  });

  it('filters by topic, kind, author and publication range together', async () => {
    const filter = { topic: 'BORDER_SECURITY', publishedFrom: '2024-01-01T00:00:00Z', publishedTo: '2025-01-01T00:00:00Z' };
    const found = nodes((await gql(api.url, PAGE, { first: 100, filter })).data);
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) {
      expect(r.topics).toContain('BORDER_SECURITY');
      expect(r.publishedAt >= '2024-01-01' && r.publishedAt < '2025-01-01').toBe(true);
    }
    const author = found[0]!.author.id;
    const kind = found[0]!.kind;
    const narrowed = nodes((await gql(api.url, PAGE, { first: 100, filter: { ...filter, author, kind } })).data);
    expect(narrowed.length).toBeGreaterThan(0);
    expect(narrowed.every((r) => r.author.id === author && r.kind === kind)).toBe(true);
  });

  it('reads one report by id, and null for an unknown id', async () => {
    const [first] = nodes((await gql(api.url, PAGE, { first: 1 })).data);
    const { data } = await gql(api.url, 'query($id: UUID!) { report(id: $id) { id title indicators { code } } }', { id: first!.id });
    expect(data!.report.id).toBe(first!.id);
    const missing = await gql(api.url, '{ report(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.report).toBeNull();
  });

  it("nests a country's reports and an organization's reports", async () => {
    const { data, errors } = await gql(api.url, `{
      countries { iso3 reports(first: 3) { totalCount edges { node { countries { iso3 } } } } }
      organization(id: "unodc") { reports(first: 3) { edges { node { author { id } } } } }
    }`);
    expect(errors).toBeUndefined();
    for (const country of data!.countries) {
      expect(country.reports.edges.length).toBeGreaterThan(0);
      expect(country.reports.edges.length).toBeLessThanOrEqual(3);
      for (const edge of country.reports.edges) expect(edge.node.countries.map((c: { iso3: string }) => c.iso3)).toContain(country.iso3);
      const direct = await gql(api.url, PAGE, { first: 1, filter: { country: country.iso3 } });
      expect(country.reports.totalCount).toBe(direct.data!.reports.totalCount);
    }
    for (const edge of data!.organization.reports.edges) expect(edge.node.author.id).toBe('unodc');
  });
});
