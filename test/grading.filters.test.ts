import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Admiralty gradings can be filtered (issue 15), on observations and reports: `minReliability: B` keeps A
 * and B, `minCredibility: 2` keeps 1 and 2. The grading fields are for members, so is using them in a
 * filter or an order: anonymous callers are refused, never served an unfiltered list.
 */
let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const member = async () => ({ authorization: `Bearer ${await idp.sign({ sub: 'sample:unodc:analyst-1', org: 'unodc', roles: ['analyst'] })}` });
interface Graded {
  id: string;
  sourceReliability: string;
  informationCredibility: number;
}
const RELIABILITY = 'ABCDEF';

// A quarter of every indicator (each list under a page of 60).
const OBSERVATIONS = `query($r: SourceReliability, $c: Int) { indicators { observations(first: 60, from: "2025-10", to: "2025-12", minReliability: $r, minCredibility: $c) {
  pageInfo { hasNextPage } edges { node { id sourceReliability informationCredibility } } } } }`;

async function observations(vars: { r?: string; c?: number }, headers: Record<string, string>): Promise<Graded[]> {
  const r = await gql(api.url, OBSERVATIONS, vars, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const lists: { pageInfo: { hasNextPage: boolean }; edges: { node: Graded }[] }[] = r.data!.indicators.map((i: { observations: unknown }) => i.observations);
  expect(lists.some((l) => l.pageInfo.hasNextPage)).toBe(false);
  return lists.flatMap((l) => l.edges.map((e) => e.node));
}

describe('observations filtered by grading', () => {
  it('minReliability and minCredibility keep exactly the values graded that well or better', async () => {
    const headers = await member();
    const all = await observations({}, headers);
    expect(new Set(all.map((o) => o.sourceReliability)).size).toBeGreaterThan(1);
    for (const [r, c] of [['B', undefined], [undefined, 2], ['C', 3], ['A', 1]] as const) {
      const expected = all.filter((o) => (!r || RELIABILITY.indexOf(o.sourceReliability) <= RELIABILITY.indexOf(r)) && (!c || o.informationCredibility <= c));
      const got = await observations({ ...(r ? { r } : {}), ...(c ? { c } : {}) }, headers);
      expect(got.map((o) => o.id).sort(), `${r} ${c}`).toEqual(expected.map((o) => o.id).sort());
      expect(got.length, `${r} ${c}`).toBeLessThan(all.length);
    }
    // "Cannot be judged" is the last grade: F and 6 keep everything.
    expect((await observations({ r: 'F', c: 6 }, headers)).length).toBe(all.length);
  });

  it('anonymous callers, who may not read the grading, are refused the filter with the argument named', async () => {
    for (const vars of [{ r: 'A' }, { c: 1 }]) {
      const r = await gql(api.url, `query($r: SourceReliability, $c: Int) { indicators { observations(minReliability: $r, minCredibility: $c) { edges { node { id } } } } }`, vars);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'r' in vars ? 'minReliability' : 'minCredibility' });
      expect(r.data?.indicators?.some((i: { observations: unknown }) => i.observations)).toBeFalsy();
    }
  });

  it('minCredibility outside 1..6 is BAD_USER_INPUT', async () => {
    const r = await gql(api.url, `{ indicators { observations(minCredibility: 7) { totalCount } } }`, {}, await member());
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

const REPORTS = `query($r: SourceReliability, $c: Int, $order: ReportOrder, $after: String) {
  reports(first: 50, after: $after, orderBy: $order, filter: { country: "KAZ", minReliability: $r, minCredibility: $c }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id sourceReliability informationCredibility publishedAt } } } }`;
type GradedReport = Graded & { publishedAt: string };
interface ReportPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string };
  edges: { node: GradedReport }[];
}

async function reportPage(vars: Record<string, unknown>, after: string | null, headers: Record<string, string>): Promise<ReportPage> {
  const r = await gql<{ reports: ReportPage }>(api.url, REPORTS, { ...vars, after }, headers);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.reports;
}

/** Every page of a report list, through its cursors. */
async function reportPages(vars: Record<string, unknown>, headers: Record<string, string>): Promise<{ total: number; nodes: GradedReport[] }> {
  const nodes: GradedReport[] = [];
  let page = await reportPage(vars, null, headers);
  nodes.push(...page.edges.map((e) => e.node));
  while (page.pageInfo.hasNextPage) {
    page = await reportPage(vars, page.pageInfo.endCursor, headers);
    nodes.push(...page.edges.map((e) => e.node));
  }
  return { total: page.totalCount, nodes };
}

describe('reports filtered and ordered by grading', () => {
  it('minReliability and minCredibility keep exactly the reports graded that well or better, counted alike', async () => {
    const headers = await member();
    const all = (await reportPages({}, headers)).nodes;
    expect(new Set(all.map((o) => o.sourceReliability)).size).toBeGreaterThan(1);
    for (const [r, c] of [['B', undefined], [undefined, 2], ['C', 3]] as const) {
      const expected = all.filter((o) => (!r || RELIABILITY.indexOf(o.sourceReliability) <= RELIABILITY.indexOf(r)) && (!c || o.informationCredibility <= c));
      const got = await reportPages({ ...(r ? { r } : {}), ...(c ? { c } : {}) }, headers);
      expect(got.nodes.map((o) => o.id).sort(), `${r} ${c}`).toEqual(expected.map((o) => o.id).sort());
      expect(got.total).toBe(expected.length);
      expect(got.total).toBeLessThan(all.length);
    }
  });

  it('orderBy GRADING: best source first, then best information, newest within a grade; pages neither skip nor repeat', async () => {
    const headers = await member();
    const { nodes, total } = await reportPages({ order: 'GRADING' }, headers);
    expect(nodes).toHaveLength(total);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(total);
    const key = (n: GradedReport) => [RELIABILITY.indexOf(n.sourceReliability), n.informationCredibility, -Date.parse(n.publishedAt)];
    const sorted = [...nodes].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
    expect(nodes.map(key)).toEqual(sorted.map(key));
    expect(nodes[0]!.sourceReliability).toBe('A');
  });

  it('anonymous callers are refused the grading filter and order, naming the argument', async () => {
    for (const [vars, field] of [[{ r: 'A' }, 'filter.minReliability'], [{ c: 1 }, 'filter.minCredibility'], [{ order: 'GRADING' }, 'orderBy']] as const) {
      const r = await gql(api.url, REPORTS, vars);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field });
      expect(r.data?.reports ?? null).toBeNull();
    }
    const nested = await gql(api.url, `{ country(iso3: "KAZ") { reports(orderBy: GRADING) { totalCount } } organization(id: "unodc") { reports(filter: { minReliability: A }) { totalCount } } }`);
    expect(nested.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });
});
