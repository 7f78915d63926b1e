import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { observationOracle, reportOracle } from './support/oracle.js';
import { createIdentityProvider, headersFor, PERSONAS, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
let oracle: Awaited<ReturnType<typeof reportOracle>>;
let tlpOf: Map<string, string>;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  oracle = await reportOracle(api.app.database.db);
  const rows = await api.app.database.db.select({ id: reports.id, tlp: reports.tlp }).from(reports);
  tlpOf = new Map(rows.map((r) => [r.id, r.tlp]));
});
afterAll(() => api?.stop());

const personas = Object.keys(PERSONAS) as PersonaName[];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const;

const LIST = `query($tlp: Tlp, $after: String) { reports(first: 100, after: $after, filter: { tlp: $tlp }) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id tlp } } } }`;

async function allVisible(persona: PersonaName, tlp: string) {
  const headers = await headersFor(idp, persona);
  const ids: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const page: any = await gql(api.url, LIST, { tlp, after }, headers);
    expect(page.errors).toBeUndefined();
    total = page.data.reports.totalCount;
    ids.push(...page.data.reports.edges.map((e: { node: { id: string; tlp: string } }) => e.node.id));
    if (!page.data.reports.pageInfo.hasNextPage) break;
    after = page.data.reports.pageInfo.endCursor;
  }
  return { ids, total };
}

/**
 * Who sees which rows: for every persona and every marking, the API lists (and counts) exactly the
 * reports the sharing rule gives it — checked against an independent statement of the rule.
 */
describe('who sees which reports (persona × TLP)', () => {
  for (const persona of personas) {
    for (const tlp of TLPS) {
      it(`${persona} × ${tlp}`, async () => {
        const { ids, total } = await allVisible(persona, tlp);
        const expectedOfTlp = new Set([...oracle(persona)].filter((id) => tlpOf.get(id) === tlp));
        expect(new Set(ids)).toEqual(expectedOfTlp);
        expect(total).toBe(expectedOfTlp.size);
        if (persona === 'anonymous' && tlp !== 'CLEAR') expect(total).toBe(0);
        if (persona !== 'anonymous' && tlp === 'GREEN') expect(total).toBeGreaterThan(0);
      });
    }
  }
});

describe('the contract has teeth', () => {
  it('AMBER rows differ between organizations, and clients of a grantee see AMBER but not AMBER+STRICT grants', () => {
    const rats = oracle('scoRats');
    const kaz = oracle('kazContributor');
    const amber = (set: Set<string>) => [...set].filter((id) => tlpOf.get(id) === 'AMBER');
    expect(amber(rats)).not.toEqual(amber(kaz));
    const mt = oracle('monitoringTeam');
    const committee = oracle('committee1267');
    const reachedThroughParent = [...committee].filter((id) => tlpOf.get(id) === 'AMBER' && mt.has(id));
    expect(reachedThroughParent.length).toBeGreaterThan(0);
  });

  it('some persona sees TLP:RED reports (as author or named person), others do not', () => {
    const red = personas.map((p) => [...oracle(p)].filter((id) => tlpOf.get(id) === 'RED').length);
    expect(Math.max(...red)).toBeGreaterThan(0);
    expect(Math.min(...red)).toBe(0);
  });
});

describe('who sees which observations (persona)', () => {
  it('every persona counts exactly the observations in force that the sharing rule gives it', async () => {
    const count = await observationOracle(api.app.database.db);
    const counts = new Set<number>();
    for (const persona of personas) {
      const { data, errors } = await gql(api.url, '{ indicators { observations(first: 1) { totalCount } } }', {}, await headersFor(idp, persona));
      expect(errors).toBeUndefined();
      const total = data!.indicators.reduce((sum: number, i: { observations: { totalCount: number } }) => sum + i.observations.totalCount, 0);
      expect(total, persona).toBe(count(persona));
      counts.add(total);
    }
    expect(counts.size).toBeGreaterThan(3);
  });
});
