import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerSubgraph } from '../examples/partner-subgraph/server.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

// The gateway otherwise probes cloud metadata addresses and Apollo's servers: nothing may leave the machine.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

let api: TestApp;
let idp: TestIdentityProvider;
let clearIds: string[];
let hiddenId: string;
let grantedToRats: string;

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  const db = api.app.database.db;
  clearIds = (await db.select({ id: reports.id }).from(reports).where(eq(reports.tlp, 'CLEAR')).orderBy(reports.id).limit(100)).map((r) => r.id);
  hiddenId = (await db.select({ id: reports.id }).from(reports).where(and(eq(reports.tlp, 'RED'), sql`${reports.authorOrgId} <> 'sco-rats'`)).limit(1))[0]!.id;
  grantedToRats = (
    await db
      .select({ id: reports.id })
      .from(reports)
      .where(
        and(
          eq(reports.tlp, 'AMBER'),
          sql`exists (select 1 from grants g where g.report_id = ${reports.id} and g.grantee_org_id = 'sco-rats' and g.revoked_at is null and (g.expires_at is null or g.expires_at > now()))`,
        ),
      )
      .limit(1)
  )[0]!.id;
});
afterAll(() => api?.stop());

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Report { id title tlp countries { iso3 } author { id name } } ... on Country { iso3 name } } }`;
const reportRef = (id: string, extra: Record<string, unknown> = {}) => ({ __typename: 'Report', id, ...extra });

describe('_entities follows the sharing policy', () => {
  it('resolves visible references and nulls hidden, unknown and malformed ones alike', async () => {
    const r = [reportRef(clearIds[0]!), reportRef(hiddenId), reportRef('00000000-0000-4000-8000-000000000000'), reportRef('not-a-uuid'), { __typename: 'Country', iso3: 'XXX' }, { __typename: 'Country', iso3: 'TJK' }];
    const { data, errors } = await gql(api.url, ENTITIES, { r }, await headersFor(idp, 'scoRats'));
    expect(errors).toBeUndefined();
    expect(data!._entities.map((e: { id?: string; iso3?: string } | null) => e && (e.id ?? e.iso3))).toEqual([clearIds[0], null, null, null, null, 'TJK']);
  });

  it('never echoes a forged representation', async () => {
    const forged = reportRef(hiddenId, { title: 'forged title', tlp: 'CLEAR', sourceDescription: 'forged' });
    const { data } = await gql(api.url, ENTITIES, { r: [forged] });
    expect(data!._entities).toEqual([null]);
    const visible = reportRef(clearIds[1]!, { title: 'forged title' });
    const real = await gql(api.url, ENTITIES, { r: [visible] });
    expect(real.data!._entities[0].title).not.toBe('forged title');
  });

  it('applies the field rules on entity paths', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Report { id sourceDescription sanctionsReferences } ... on Organization { focalPoint { email } } } }`;
    const { data, errors } = await gql(api.url, q, { r: [reportRef(clearIds[2]!), { __typename: 'Organization', id: 'unodc' }] });
    expect(data!._entities).toEqual([{ id: clearIds[2], sourceDescription: null, sanctionsReferences: null }, { focalPoint: null }]);
    expect(errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    // Each refusal names the representation it belongs to: a gateway maps `_entities.N` back to its own list.
    expect(errors!.map((e) => e.path).sort()).toEqual([
      ['_entities', 0, 'sanctionsReferences'],
      ['_entities', 0, 'sourceDescription'],
      ['_entities', 1, 'focalPoint'],
    ]);
  });

  it('batches: 100 representations take as many SQL statements as 5', async () => {
    const five = await gql(api.url, ENTITIES, { r: clearIds.slice(0, 5).map((id) => reportRef(id)) });
    const hundred = await gql(api.url, ENTITIES, { r: clearIds.map((id) => reportRef(id)) });
    expect(hundred.data!._entities.filter(Boolean)).toHaveLength(100);
    expect(statementsOf(hundred)).toBe(statementsOf(five));
    expect(statementsOf(hundred)).toBeLessThanOrEqual(4);
  });

  it('the subgraph SDL is served for composition', async () => {
    const { data } = await gql(api.url, '{ _service { sdl } }');
    expect(data!._service.sdl).toMatch(/type Report\s+@key\(fields: "id"\)/);
  });
});

describe('a gateway composing the network with a partner subgraph', () => {
  let partner: { url: string; stop: () => Promise<void> };
  let gateway: ApolloServer;
  let gatewayUrl: string;

  beforeAll(async () => {
    partner = await startPartnerSubgraph({
      watchlist: [clearIds[3]!, hiddenId, grantedToRats],
      threatLevels: { TJK: 'HIGH', KAZ: 'LOW' },
      assessments: { [hiddenId]: 'partner note on a hidden report' },
    });
    const apolloGateway = new ApolloGateway({
      supergraphSdl: new IntrospectAndCompose({
        subgraphs: [
          { name: 'ctewn', url: `${api.url}/graphql` },
          { name: 'rats', url: partner.url },
        ],
      }),
      // The user's bearer token reaches the subgraphs, so each applies its own policy to the user.
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest({ request, context }) {
            const auth = (context as { authorization?: string }).authorization;
            if (auth) request.http?.headers.set('authorization', auth);
          },
        }),
    });
    gateway = new ApolloServer({ gateway: apolloGateway, plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled()] });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({ authorization: req.headers.authorization }),
    }));
    gatewayUrl = gatewayUrl.replace(/\/$/, '');
  });
  afterAll(async () => {
    await gateway?.stop();
    await partner?.stop();
  });

  const ask = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return (await response.json()) as { data?: any; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
  };

  it('answers queries that span both subgraphs', async () => {
    const { data, errors } = await ask('{ countries { iso3 name ratsThreatLevel } }');
    expect(errors).toBeUndefined();
    expect(data.countries).toContainEqual({ iso3: 'TJK', name: 'Tajikistan', ratsThreatLevel: 'HIGH' });
  });

  it("keeps a hidden report hidden when reached through the partner's references, per persona", async () => {
    const q = '{ ratsWatchlist { id title tlp ratsAssessment } }';
    const anonymous = await ask(q);
    const items = anonymous.data.ratsWatchlist;
    expect(items[0]).toMatchObject({ id: clearIds[3], tlp: 'CLEAR' });
    expect(JSON.stringify(anonymous)).not.toContain('partner note on a hidden report');
    // A plain null, with no error beside it (test/federation.hive.test.ts: the same through Hive Gateway).
    expect(items.slice(1)).toEqual([null, null]);
    expect(anonymous.errors).toBeUndefined();

    const rats = await ask(q, await headersFor(idp, 'scoRats'));
    expect(rats.errors).toBeUndefined();
    expect(rats.data.ratsWatchlist[1]).toBeNull();
    expect(rats.data.ratsWatchlist[2]).toMatchObject({ id: grantedToRats, tlp: 'AMBER', title: expect.any(String) });
  });

  it('keeps restricted fields restricted through the gateway', async () => {
    const { data, errors } = await ask(`{ ratsWatchlist { id title sourceDescription } }`, await headersFor(idp, 'scoRats'));
    expect(data.ratsWatchlist.filter(Boolean).every((r: { sourceDescription: string | null }) => r.sourceDescription === null)).toBe(true);
    // @apollo/gateway keeps the list index of each refusal (Hive Gateway 2.15 drops it: README).
    expect(errors!.map((e) => [e.extensions?.code, e.path]).sort()).toEqual([
      ['FORBIDDEN', ['ratsWatchlist', 0, 'sourceDescription']],
      ['FORBIDDEN', ['ratsWatchlist', 2, 'sourceDescription']],
    ]);
    const un = await ask(`{ ratsWatchlist { id sourceDescription } }`, await headersFor(idp, 'unodcAnalyst'));
    expect(un.data.ratsWatchlist[0].sourceDescription).not.toBeNull();
  });
});
