import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restrictedFields } from '../src/auth/policy.js';
import { planSqlJson } from '../src/http/sql-path/plan.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

/**
 * The SQL path (issue 14) answers a list of reports from one statement whose JSON PostgreSQL builds. Its
 * answers are held against graphql-js's for every persona in executor.compiled.test.ts; this file holds
 * what it must leave to the compiled path — every field a rule may refuse above all — and how it shows
 * over HTTP (one statement, the executions metric, GRAPHQL_SQL_PATH=off).
 */
const operation = (query: string) => parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const plan = (query: string) => planSqlJson(operation(query));

describe('what the SQL path plans, and what it leaves to the compiled path', () => {
  it('plans a list of reports with plain fields, their countries and author, aliases and __typename', () => {
    expect(plan('{ reports(first: 5) { edges { node { id title tlp countries { iso3 } author { acronym } } } } }')).not.toBeNull();
    expect(plan('query($n: Int!, $o: ReportOrder!) { r: reports(first: $n, orderBy: $o) { __typename e: edges { node { t: title(lang: RU) } } } }')).not.toBeNull();
    expect(plan('{ organizations(first: 5) { edges { node { id name reports(first: 2) { edges { node { id } } } } } } }')).not.toBeNull();
    expect(plan('{ country(iso3: "KAZ") { iso3 } indicators { code observations(country: "KAZ", first: 3) { edges { node { period value level } } } } }')).not.toBeNull();
    // An indicator's unit and methodology take `lang` as its name does.
    expect(plan('query($l: Lang) { indicators { code unit(lang: RU) methodology(lang: $l) observations(country: "KAZ", first: 3) { edges { node { value } } } } }')).not.toBeNull();
    expect(plan('query($id: UUID!) { report(id: $id) { id title indicators { code latestValues(countries: ["KAZ"]) { period level country { iso3 } } } } }')).not.toBeNull();
    // Several lists, each a root of its own: one statement each, run side by side.
    expect(plan('{ a: reports { edges { node { id } } } b: reports(orderBy: PUBLISHED_ASC) { edges { node { id } } } }')?.roots).toHaveLength(2);
  });

  it('never plans a field whose rule may refuse it: every restricted field of a report, a country or an organization', () => {
    const restricted = restrictedFields().map((f) => f.path);
    const paths = restricted.filter((p) => /^(Report|Organization|Country)\./.test(p));
    expect(paths).toEqual(expect.arrayContaining(['Report.sourceDescription', 'Report.sanctionsReferences', 'Report.sourceReliability', 'Organization.focalPoint']));
    for (const path of paths) {
      const [type, field] = path.split('.') as [string, string];
      const selection = type === 'Report' ? `${field}` : type === 'Organization' ? `author { ${field} }` : `countries { ${field} }`;
      // With or without a sub-selection (an object field needs one): neither may be planned.
      for (const s of [selection, selection.replace(/(\w+) }$/, '$1 { __typename } }').replace(/^(\w+)$/, '$1 { __typename }')]) {
        expect(plan(`{ reports { edges { node { id ${s} } } } }`), path).toBeNull();
      }
    }
  });

  it('leaves fragments, directives, filters, cursors, counts, page info, a root it does not serve and unknown fields to the compiled path', () => {
    const refused = [
      '{ reports { edges { node { ...F } } } } fragment F on Report { id }',
      '{ reports { edges { node { ... on Report { id } } } } }',
      'query($s: Boolean!) { reports { edges { node { id @include(if: $s) } } } }',
      '{ reports(filter: { tlp: GREEN }) { edges { node { id } } } }',
      '{ reports(after: "x") { edges { node { id } } } }',
      '{ reports { totalCount edges { node { id } } } }',
      '{ reports { pageInfo { hasNextPage } edges { node { id } } } }',
      '{ reports { edges { cursor node { id } } } }',
      '{ reports { edges { node { id indicators { code } } } } }',
      '{ reports { edges { node { id tearlineOf { id } } } } }',
      '{ reports { edges { node { id id: title } } } }',
      '{ countries { iso3 } }',
      // Organizations alone are reference data (served from memory); with a filter, a restricted field or two lists, not planned.
      '{ organizations { edges { node { id acronym } } } }',
      '{ organizations(filter: { kinds: [UN_ENTITY] }) { edges { node { id reports { edges { node { id } } } } } } }',
      '{ organizations { edges { node { id focalPoint { name } reports { edges { node { id } } } } } } }',
      '{ organizations { edges { node { id a: reports { edges { node { id } } } b: reports { edges { node { id } } } } } } }',
      '{ organizations { totalCount edges { node { id reports { edges { node { id } } } } } } }',
      '{ organizations { edges { node { id reports(filter: { tlp: RED }) { edges { node { id } } } } } } }',
      // Indicators: only one country's values, only the fields listed; a note (originator and UN entities) never.
      '{ indicators { code observations(first: 3) { edges { node { value } } } } }',
      '{ indicators { code observations(country: "KAZ", from: "2025-01") { edges { node { value } } } } }',
      '{ indicators { code observations(country: "KAZ") { edges { node { value note } } } } }',
      '{ indicators { code observations(country: "KAZ") { edges { node { value sourceReliability } } } } }',
      '{ indicators { code observations(country: "KAZ") { totalCount edges { node { value } } } } }',
      '{ indicators { code thresholds { watch } observations(country: "KAZ") { edges { node { value } } } } }',
      '{ indicators { code } }',
      '{ country(iso3: "KAZ") { iso3 } }',
      // One report by id: its plain fields and its indicators' latest values for some countries, nothing else.
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id sourceDescription } }',
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id sharedWith { purpose } } }',
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id indicators { code latestValues(asOf: "2026-01-01T00:00:00Z") { value } } } }',
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id indicators { code latestValues { value note } } } }',
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id indicators { code latestValues { value bySource { value } } } } }',
      '{ report(id: "00000000-0000-4000-8000-000000000000") { id tearlines { id } } }',
      '{ reports { edges { node { id indicators { code latestValues { value } } } } } }',
      '{ country(iso3: "KAZ") { iso3 reports { edges { node { id } } } } r: reports { edges { node { id } } } }',
      'mutation { retractReport(id: "00000000-0000-4000-8000-000000000000", reason: "x") { id } }',
    ];
    for (const query of refused) expect(plan(query), query).toBeNull();
  });
});

describe('over HTTP', () => {
  let idp: TestIdentityProvider;
  let api: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    idp = await createIdentityProvider();
    [api, off] = await Promise.all([startTestApp(idp.env), startTestApp({ ...idp.env, GRAPHQL_SQL_PATH: 'off' })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([api?.stop(), off?.stop()]);
  });

  const executions = async (app: TestApp, executor: string) => {
    const line = (await (await fetch(`${app.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`ctewn_graphql_executions_total{executor="${executor}"}`));
    return Number(line?.split(' ').pop() ?? 0);
  };
  const W1 = 'query W1($first: Int!) { reports(first: $first) { edges { node { id title publishedAt tlp countries { iso3 } author { id acronym } } } } }';

  it('answers W1 from one statement, counted as executor="sql"; GRAPHQL_SQL_PATH=off answers the same through graphql-jit', async () => {
    const headers = await headersFor(idp, 'scoRats');
    // The first request of a process also loads the reference data snapshot.
    await gql(api.url, '{ countries { iso3 } }', {}, headers);
    const before = await executions(api, 'sql');
    const viaSql = await gql(api.url, W1, { first: 50 }, headers);
    expect(viaSql.errors).toBeUndefined();
    expect(viaSql.headers.get('x-sql-statements')).toBe('1');
    expect(await executions(api, 'sql')).toBe(before + 1);
    const viaJit = await gql(off.url, W1, { first: 50 }, headers);
    expect(await executions(off, 'sql')).toBe(0);
    expect(viaSql.data).toEqual(viaJit.data);
    expect(viaSql.data!.reports.edges).toHaveLength(50);
  });

  it('a page size out of range is left to the compiled path, which refuses it with its own error', async () => {
    const response = await gql(api.url, W1, { first: 1000 });
    expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/first must be between 1 and 100/), extensions: { code: 'BAD_USER_INPUT' } });
  });
});
