import { execute, Kind, parse, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/auth/authenticate.js';
import { createContext, type Context } from '../src/auth/context.js';
import { createTokenVerifier, type TokenVerifier } from '../src/auth/jwt.js';
import { loadConfig } from '../src/config.js';
import { createCompiledExecutor } from '../src/http/compiled-executor.js';
import { loadExamples } from '../src/http/graphiql/examples.js';
import { createLogger } from '../src/logger.js';
import { buildApiSchema } from '../src/schema/build.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, PERSONAS, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

/**
 * Queries and mutations run compiled (graphql-jit, GRAPHQL_EXECUTOR=compiled, the default), so every other
 * test of the suite exercises that path over HTTP. This file holds it against graphql-js's own execution
 * on the same database, schema and viewer: for every persona and every read — the example operations,
 * the benchmark's workloads, and the shapes a leak would take (aliases, fragments, nested counts,
 * federation entities, refused fields) — the two give the same data, the same errors (message, path,
 * code) and the same access record. A compiled path that skipped a field rule or the row rule would
 * answer more than graphql-js; one that lost a lazy field (a connection's totalCount), an argument or
 * the access log's hook would answer or record differently.
 */
const examples = loadExamples().filter((example) => {
  const operation = parse(example.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  // The audit examples read the access log, which differs between two servers by its ids and times.
  return operation.operation === 'query' && !/audit|who-read/.test(example.name);
});

const REPORT_FIELDS = 'id title(lang: RU) summary tlp publishedAt sourceReliability informationCredibility sourceDescription sanctionsReferences countries { iso3 } author { acronym }';
const SHAPES: { name: string; query: string; variables?: Record<string, unknown> }[] = [
  { name: 'W1 latest reports', query: 'query W1($first: Int!) { reports(first: $first) { edges { node { id title publishedAt tlp countries { iso3 } author { id acronym } } } } }', variables: { first: 50 } },
  {
    name: 'W2 indicator series',
    query: 'query W2($country: String!, $n: Int!) { country(iso3: $country) { iso3 name } indicators { code name unit observations(country: $country, first: $n) { totalCount edges { cursor node { period value level tlp revision note } } } } }',
    variables: { country: 'KAZ', n: 12 },
  },
  {
    name: 'W4 organizations and their reports',
    query: 'query W4 { organizations(first: 30) { totalCount edges { node { id acronym kind reports(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title tlp countries { iso3 } } } } } } } }',
  },
  { name: 'W6 search and total', query: '{ reports(first: 20, filter: { search: "border" }) { totalCount pageInfo { hasNextPage } edges { node { id title } } } }' },
  { name: 'every restricted report field, by alias and fragment', query: `{ a: reports(first: 40) { edges { node { ${REPORT_FIELDS} } } } b: reports(first: 40, after: null) { edges { node { ...R x: sanctionsReferences } } } } fragment R on Report { ${REPORT_FIELDS} ... on Report { sharedWith { organizationId purpose active } } }` },
  { name: 'marking filters', query: '{ g: reports(filter: { tlp: GREEN }) { totalCount } a: reports(filter: { tlp: AMBER }) { totalCount edges { node { id } } } s: reports(filter: { tlp: AMBER_STRICT }) { totalCount edges { node { id } } } r: reports(filter: { tlp: RED }) { totalCount edges { node { id } } } }' },
  { name: 'nested counts', query: '{ countries { iso3 reports(first: 3) { totalCount edges { node { id tlp } } } } }' },
  { name: 'latest values', query: '{ indicators { code latestValues(countries: ["KAZ", "KGZ", "TJK", "TKM", "UZB"]) { period value level tlp revision country { iso3 } } } }' },
  { name: 'viewer', query: '{ viewer { organizationId deniedFields conditionalFields } }' },
];

/**
 * Lists the SQL path answers (src/http/sql-path/): PostgreSQL shapes the JSON, no resolver runs.
 * Held against graphql-js like every other read, for every persona: a row rule or an order that differed,
 * a marking, a language or a key out of place, or a report missing from the access record, would show.
 */
const SQL_SHAPES: { name: string; query: string; variables?: Record<string, unknown>; acceptLanguage?: string; perReport?: boolean }[] = [
  { name: 'SQL path: W1', query: 'query W1($first: Int!) { reports(first: $first) { edges { node { id title publishedAt tlp countries { iso3 } author { id acronym } } } } }', variables: { first: 100 } },
  {
    name: 'SQL path: aliases, __typename, every plain field, places in both languages',
    query: `{ latest: reports { __typename all: edges { __typename item: node { __typename key: id title en: title(lang: EN) ru: title(lang: RU) publishedAt updatedAt tlp kind language topics revision
      countries { __typename iso3 iso2 name ru: name(lang: RU) } by: author { __typename id acronym kind name(lang: RU) } } } } }`,
  },
  { name: 'SQL path: oldest first', query: '{ reports(first: 60, orderBy: PUBLISHED_ASC) { edges { node { id tlp publishedAt } } } }' },
  { name: 'SQL path: last updated', query: 'query($o: ReportOrder!, $l: Lang) { reports(first: 30, orderBy: $o) { edges { node { id title(lang: $l) updatedAt } } } }', variables: { o: 'UPDATED_DESC', l: 'RU' } },
  {
    name: 'SQL path: W4',
    query: 'query W4($orgs: Int!, $n: Int!) { organizations(first: $orgs) { edges { node { id acronym kind reports(first: $n) { edges { node { id title publishedAt tlp countries { iso3 } } } } } } } }',
    variables: { orgs: 20, n: 10 },
  },
  {
    name: 'SQL path: every organization (some without a report the viewer may see), nested list first, oldest first',
    query: `{ organizations(first: 100) { __typename edges { __typename node { r: reports(first: 3, orderBy: PUBLISHED_ASC) { __typename edges { node { id tlp author { acronym } } } }
      __typename id name(lang: RU) } } } }`,
  },
  {
    name: 'SQL path: W2',
    query: 'query W2($country: String!, $n: Int!) { country(iso3: $country) { iso3 name } indicators { code name unit observations(country: $country, first: $n) { edges { node { period value level tlp } } } } }',
    variables: { country: 'KAZ', n: 12 },
  },
  {
    name: 'SQL path: Afghanistan, every value field, __typename, names in Russian, a report list beside',
    query: `query($c: String!) { i: indicators { __typename periodicity worseDirection theme n: name(lang: RU) u: unit(lang: RU) m: methodology(lang: RU) code values: observations(first: 30, country: $c) { __typename edges { __typename node { __typename id tlp level value period } } } }
      c: country(iso3: $c) { __typename iso2 name(lang: RU) } r: reports(first: 5) { edges { node { id } } } }`,
    variables: { c: 'AFG' },
  },
  {
    name: 'SQL path: W3, one report by id with its indicators and their latest values, for every report of the first page',
    query: 'query W3($id: UUID!, $countries: [String!]) { report(id: $id) { id title summary publishedAt tlp countries { iso3 name } author { acronym } indicators { code name unit latestValues(countries: $countries) { period value level tlp country { iso3 } } } } }',
    variables: { countries: ['KAZ', 'KGZ', 'TJK'] },
    perReport: true,
  },
  {
    name: 'SQL path: a report by id, every country, literal id, Russian names',
    query: '{ report(id: "$ID") { __typename id body language topics indicators { __typename code n: name(lang: RU) latestValues { __typename id value country { iso2 name(lang: RU) } } } } }',
    perReport: true,
  },
  { name: 'SQL path: Accept-Language ru', query: '{ reports(first: 30) { edges { node { id title countries { name } author { name } } } } }', acceptLanguage: 'ru-RU,ru;q=0.9,en;q=0.5' },
  {
    name: 'SQL path: Accept-Language ru, indicators (unit and methodology bilingual) with one country\'s values',
    query: '{ indicators { code name unit methodology en: unit(lang: EN) observations(country: "KGZ", first: 2) { edges { node { value period } } } } }',
    acceptLanguage: 'ru-RU,ru;q=0.9,en;q=0.5',
  },
];

/** The SQL shapes as reads; a by-id shape once per report of a sample of every marking (hidden ones answer null). */
function sqlReads() {
  return SQL_SHAPES.flatMap(({ perReport, ...read }) =>
    perReport
      ? entityIds.filter((_, i) => i % 7 === 0).map((id) => ({ ...read, name: `${read.name} (${id})`, query: read.query.replace('$ID', id), variables: { ...read.variables, id } }))
      : [read],
  );
}

let idp: TestIdentityProvider;
let compiled: TestApp;
let standard: TestApp;
let schema: GraphQLSchema;
let verifier: TokenVerifier;
let entityIds: string[] = [];

beforeAll(async () => {
  idp = await createIdentityProvider();
  [compiled, standard, schema] = await Promise.all([startTestApp({ ...idp.env }), startTestApp({ ...idp.env, GRAPHQL_EXECUTOR: 'standard' }), buildApiSchema()]);
  verifier = await createTokenVerifier(loadConfig({ NODE_ENV: 'test', ...idp.env }), createLogger('silent'));
  // Representations for _entities: every report of the sample data, whatever its marking (as the network admin lists them).
  const all = await gql<{ reports: { edges: { node: { id: string } }[] } }>(compiled.url, '{ reports(first: 100) { edges { node { id } } } }', {}, await headersFor(idp, 'networkAdmin'));
  entityIds = all.data!.reports.edges.map((e) => e.node.id);
}, 240_000);
afterAll(async () => {
  await Promise.all([compiled?.stop(), standard?.stop()]);
});

const comparable = (result: ExecutionResult, context: Context) => {
  const entry = context.access.toEntry(context.viewer, null, null);
  return {
    data: result.data,
    // The spec leaves the order of errors open: fields resolved in parallel fail in the database's order.
    errors: result.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    // What the access log would record: the same records and fields, whichever executor ran.
    // Sets filled as resolvers complete: their order follows the database's timing, not the executor.
    access: {
      ...entry,
      reportIds: [...entry.reportIds!].sort(),
      observationIds: [...entry.observationIds!].sort(),
      originOrgIds: [...entry.originOrgIds!].sort(),
      fields: [...entry.fields!].sort(),
      deniedFields: [...entry.deniedFields!].sort(),
      recordFields: Object.fromEntries(
        Object.entries(entry.recordFields ?? {}).map(([id, f]) => [id, { fields: [...(f.fields ?? [])].sort(), deniedFields: [...(f.deniedFields ?? [])].sort() }]),
      ),
    },
  };
};

async function metric(app: TestApp, name: string): Promise<string[]> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('the compiled executor answers as graphql-js does, and records the same access', () => {
  const seen = { forbidden: 0, rows: 0, logged: 0 };

  it.each(Object.keys(PERSONAS) as PersonaName[])('%s: every read, data, errors and access record alike', async (persona) => {
    const { database } = compiled.app;
    const viewer = await authenticate(database.db, verifier, (await headersFor(idp, persona)).authorization, database.reference);
    const executor = createCompiledExecutor(schema);
    const reads = [
      ...examples.map((e) => ({ name: e.name, query: e.query, variables: e.variables ? (JSON.parse(e.variables) as Record<string, unknown>) : {} })),
      ...SHAPES,
      ...sqlReads(),
      {
        name: '_entities',
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Report { id tlp sourceDescription sanctionsReferences } } }',
        variables: { r: entityIds.map((id) => ({ __typename: 'Report', id })) },
      },
    ];
    for (const read of reads as { name: string; query: string; variables?: Record<string, unknown>; acceptLanguage?: string }[]) {
      const document = parse(read.query);
      const contexts = [0, 1].map(() => createContext(database.counted({ count: 0 }), viewer, read.acceptLanguage, database.reference));
      const viaGraphqlJs = await execute({ schema, document, variableValues: read.variables ?? {}, contextValue: contexts[0] });
      const viaCompiled = await executor.execute(document, undefined, read.variables ?? {}, contexts[1], read.query);
      expect(comparable(viaCompiled, contexts[1]!), `${persona} · ${read.name}`).toEqual(comparable(viaGraphqlJs, contexts[0]!));
      // The response's keys in the selection's order (GraphQL spec 7.2.2), as graphql-js orders them.
      expect(JSON.stringify(viaCompiled.data), `${persona} · ${read.name}: key order`).toBe(JSON.stringify(viaGraphqlJs.data));
      seen.forbidden += (viaCompiled.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').length;
      seen.rows += JSON.stringify(viaCompiled.data ?? {}).split('"id"').length - 1;
      seen.logged += contexts[1]!.access.reportIds.size + contexts[1]!.access.observationIds.size;
    }
    expect(executor.stats.standard, 'every read ran compiled').toBe(0);
    // The SQL path answered its shapes (W1 among SHAPES too), and nothing else.
    expect(executor.stats.sql, 'the SQL path answered its lists').toBe(sqlReads().length + 1);
  });

  it('compared answers that hold refused fields, many rows and logged records (not two empty answers)', () => {
    expect(seen.forbidden).toBeGreaterThan(100);
    expect(seen.rows).toBeGreaterThan(1000);
    expect(seen.logged).toBeGreaterThan(100);
  });

  it('the server runs queries compiled by default, and through graphql-js with GRAPHQL_EXECUTOR=standard', async () => {
    for (const app of [compiled, standard]) expect((await gql(app.url, '{ reports(first: 5) { totalCount edges { node { id } } } }')).errors).toBeUndefined();
    const [line] = await metric(compiled, 'ctewn_graphql_executions_total{executor="compiled"}');
    expect(Number(line?.split(' ').pop())).toBeGreaterThan(0);
    expect(await metric(standard, 'ctewn_graphql_executions_total{executor="compiled"}')).toEqual([]);
  });
});

describe('what the compiled executor leaves to graphql-js, and its cache', () => {
  it('introspection runs through graphql-js, and answers', async () => {
    const before = await metric(compiled, 'ctewn_graphql_executions_total{executor="standard"}');
    const response = await gql(compiled.url, '{ __schema { queryType { name } } }', {}, await headersFor(idp, 'unodcAnalyst'));
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const after = await metric(compiled, 'ctewn_graphql_executions_total{executor="standard"}');
    expect(Number(after[0]?.split(' ').pop())).toBe(Number(before[0]?.split(' ').pop() ?? 0) + 1);
  });

  it('a document is compiled once, and the cache is bounded (COMPILED_OPERATIONS_CACHE)', async () => {
    const small = await startTestApp({ COMPILED_OPERATIONS_CACHE: '2' });
    try {
      const compilations = async () => Number((await metric(small, 'ctewn_graphql_compilations_total'))[0]?.split(' ').pop());
      const start = await compilations();
      const documents = ['{ countries { iso3 } }', '{ indicators { code } }', '{ organizations(first: 1) { totalCount } }'];
      for (const document of [documents[0]!, documents[0]!, documents[0]!]) await gql(small.url, document);
      expect(await compilations()).toBe(start + 1);
      // Three documents in turn through a cache of two: each one was dropped before it came back.
      for (const document of [...documents, ...documents]) expect((await gql(small.url, document)).errors).toBeUndefined();
      expect(await compilations()).toBe(start + 1 + 5);
    } finally {
      await small.stop();
    }
  });
});
