import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHiveGateway } from '../examples/partner-subgraph/gateway.js';
import { loadPartnerData, startPartnerSubgraph, type PartnerData } from '../examples/partner-subgraph/server.js';
import { composeSupergraph } from '../scripts/supergraph.js';
import { buildSampleData } from '../src/db/seed/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

// Hive Gateway beside @apollo/gateway (test/federation.test.ts): the supergraph is composed by The
// Guild's composition, the partner subgraph serves the shipped examples/partner-subgraph/data.json (the
// README's walk-through), and everything listens on 127.0.0.1 with no usage reporting.

let api: TestApp;
let idp: TestIdentityProvider;
let data: PartnerData;
let partner: { url: string; stop: () => Promise<void> };
let gateway: { url: string; stop: () => Promise<void> };

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  data = loadPartnerData();
  partner = await startPartnerSubgraph(data);
  const composed = await composeSupergraph(
    [{ name: 'rats', url: partner.url, typeDefs: parse(readFileSync('examples/partner-subgraph/schema.graphql', 'utf8')) }],
    { networkUrl: `${api.url}/graphql`, composer: 'guild' },
  );
  if ('errors' in composed) throw new Error(composed.errors.join('\n'));
  gateway = await startHiveGateway(composed.supergraphSdl);
});
afterAll(async () => {
  await gateway?.stop();
  await partner?.stop();
  await api?.stop();
});

type Result = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
const ask = async (query: string, headers: Record<string, string> = {}): Promise<Result> => {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return (await response.json()) as Result;
};
const headersOf = async (persona: PersonaName | 'anonymous') => (persona === 'anonymous' ? {} : await headersFor(idp, persona));

describe('the shipped partner data', () => {
  it('names sample-data reports of each visibility and an unknown id, and the seed gives the same ids every time', () => {
    const reports = new Map(buildSampleData().reports.map((r) => [r.id, r]));
    expect(buildSampleData().reports.map((r) => r.id)).toEqual([...reports.keys()]);
    const kinds = data.watchlist.map((id) => {
      const r = reports.get(id);
      return r ? `${r.tlp}${r.authorOrgId === 'sco-rats' ? ' by sco-rats' : ''}` : 'unknown';
    });
    expect(kinds).toEqual(['CLEAR', 'GREEN', 'AMBER by sco-rats', 'RED', 'unknown', 'CLEAR']);
  });
});

describe('Hive Gateway composing the network with the partner subgraph', () => {
  const personas = ['anonymous', 'scoRats', 'unodcAnalyst'] as const;

  it.each(personas)('a hidden or unknown report reached from the partner is a plain null, with no error (%s)', async (persona) => {
    const headers = await headersOf(persona);
    const { data: got, errors, extensions } = await ask('{ ratsWatchlist { id title tlp ratsAssessment } }', headers);
    expect(errors).toBeUndefined();
    // The oracle: what the network's own API answers this persona for each id.
    const expected = await Promise.all(
      data.watchlist.map(async (id) => (await gql(api.url, 'query($id: UUID!) { report(id: $id) { id title tlp } }', { id }, headers)).data!.report),
    );
    expect(got.ratsWatchlist.map((r: { id: string } | null) => r?.id ?? null)).toEqual(expected.map((r) => r?.id ?? null));
    expect(got.ratsWatchlist.filter(Boolean).map((r: { title: string }) => r.title)).toEqual(expected.filter(Boolean).map((r) => r.title));
    expect(expected.filter((r) => r === null).length).toBeGreaterThanOrEqual(2);
    // Where each null came from stays on record, as @apollo/gateway keeps it (extensions.valueCompletion).
    const nulls = expected.flatMap((r, i) => (r === null ? [i] : []));
    expect((extensions!.valueCompletion as { path: unknown[] }[]).map((e) => e.path)).toEqual(nulls.map((i) => ['ratsWatchlist', i, 'title']));
    expect(JSON.stringify(got)).not.toContain('never shown through the gateway');
  });

  it('the policy differs per persona through the gateway as it does at the API', async () => {
    // `title` (non-null) makes the gateway fetch from the network; with only the partner's own `id`
    // (or only nullable network fields) a reference comes back as the partner sent it (README).
    const ids = async (persona: (typeof personas)[number]) =>
      (await ask('{ ratsWatchlist { id title } }', await headersOf(persona))).data.ratsWatchlist.map((r: { id: string } | null) => r?.id ?? null);
    const [clear1, green, ratsAmber, , , clear2] = data.watchlist;
    expect(await ids('anonymous')).toEqual([clear1, null, null, null, null, clear2]);
    expect(await ids('scoRats')).toEqual([clear1, green, ratsAmber, null, null, clear2]);
    expect(await ids('unodcAnalyst')).toEqual([clear1, green, null, null, null, clear2]);
  });

  it('a reference asked only for its id is the partner\'s own data: no network field, nothing to hide', async () => {
    const { data: got, errors } = await ask('{ ratsWatchlist { id ratsAssessment } }');
    expect(errors).toBeUndefined();
    expect(got.ratsWatchlist.map((r: { id: string }) => r.id)).toEqual(data.watchlist);
  });

  it('answers queries that span both subgraphs', async () => {
    const { data: got, errors } = await ask('{ countries { iso3 name ratsThreatLevel } }');
    expect(errors).toBeUndefined();
    expect(got.countries).toContainEqual({ iso3: 'TJK', name: 'Tajikistan', ratsThreatLevel: 'HIGH' });
  });

  it('keeps restricted fields restricted: FORBIDDEN from the network, which Hive Gateway relocates without the list index', async () => {
    const { data: got, errors } = await ask('{ ratsWatchlist { id title sourceDescription } }', await headersFor(idp, 'scoRats'));
    const visible = got.ratsWatchlist.filter(Boolean);
    // The desk reads the source description of its own report only.
    expect(visible.map((r: { id: string; sourceDescription: string | null }) => [r.id, r.sourceDescription !== null])).toEqual([
      [data.watchlist[0], false],
      [data.watchlist[1], false],
      [data.watchlist[2], true],
      [data.watchlist[5], false],
    ]);
    expect(errors).toHaveLength(3);
    expect(errors!.map((e) => [e.extensions?.code, e.extensions?.serviceName])).toEqual(errors!.map(() => ['FORBIDDEN', 'ctewn']));
    // The network's _entities error says `_entities.N.sourceDescription` (test/federation.test.ts), and
    // @apollo/gateway maps it to `ratsWatchlist.N.sourceDescription`; Hive Gateway 2.15 drops N (its
    // batch delegation strips the batch index and does not put the list's back). Documented in README;
    // if an upgrade fixes it, this assertion fails and the README sentence goes.
    expect(errors!.map((e) => e.path)).toContainEqual(['ratsWatchlist', 'sourceDescription']);
  });
});
