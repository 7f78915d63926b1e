import { Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBareSchema } from '../src/schema/build.js';
import { loadExamples, type ExampleOperation } from '../src/http/graphiql/examples.js';
import { personaById } from '../src/http/graphiql/personas.js';
import { gql, startTestApp, type GraphQLResponse, type TestApp } from './support/app.js';
import { subscribe } from './support/ws.js';

/**
 * The example operations of examples/operations/ (preloaded in the explorer, quoted by the docs) are
 * checked against the schema and run against the sample data as the persona each names, so they never rot.
 */
const examples = loadExamples();
const operationOf = (example: ExampleOperation) =>
  parse(example.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const queries = examples.filter((e) => operationOf(e).operation !== 'subscription');
const subscriptions = examples.filter((e) => operationOf(e).operation === 'subscription');

let schema: GraphQLSchema;
let api: TestApp;
beforeAll(async () => {
  [schema, api] = await Promise.all([buildBareSchema(), startTestApp({ MAX_FUTURE_PERIODS: 'unlimited' })]); // the spike example writes a future period
});
afterAll(() => api?.stop());

/** A persona's token, asked for the way the explorer's picker asks (development endpoint). */
async function tokenFor(org: string, roles: string[], sub?: string): Promise<string> {
  const response = await fetch(`${api.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org, roles, sub }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function headersAs(personaId: string): Promise<Record<string, string>> {
  const persona = personaById(personaId)!;
  if (!persona.org) return {};
  return { authorization: `Bearer ${await tokenFor(persona.org, persona.roles, persona.sub)}` };
}

type Data = Record<string, any>;
type Edges<T> = { edges: { node: T }[] };
const nodes = <T>(connection: Edges<T>) => connection.edges.map((e) => e.node);

/** What each example must show on the sample data, beyond "no unexpected error". */
const SHOWS: Record<string, (data: Data) => void> = {
  '01-country-overview': (d) => {
    expect(d.overview.country.iso3).toBe('TJK');
    const series = d.overview.themes.flatMap((t: { indicators: { series: { current: { level: string } }[] }[] }) => t.indicators.flatMap((i) => i.series));
    expect(series.length).toBeGreaterThan(5);
    expect(d.overview.openAlerts.watch + d.overview.openAlerts.warning + d.overview.openAlerts.critical).toBeGreaterThan(0);
    expect(nodes<{ level: string }>(d.alerts).length).toBeGreaterThan(0);
  },
  '02-reports-on-a-topic-this-year': (d) => {
    const reports = nodes<{ publishedAt: string }>(d.reports);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.publishedAt >= '2026-01-01')).toBe(true);
  },
  '03-indicator-trend-five-states': (d) => {
    for (const iso3 of ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']) expect(d.indicator[iso3].edges.length, iso3).toBeGreaterThan(0);
  },
  '04-shared-with-my-organization': (d) => {
    const authors = [...nodes<{ author: { id: string } }>(d.amber), ...nodes<{ author: { id: string } }>(d.amberStrict)].map((r) => r.author.id);
    // Reports of other organizations that the Monitoring Team sees only through a grant.
    expect(authors.filter((a) => a !== d.viewer.organizationId).length).toBeGreaterThan(0);
  },
  '05-who-read-our-reports': (d) => {
    const reports = nodes<{ accessLog: unknown }>(d.organization.reports);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.accessLog !== null)).toBe(true);
  },
  '06-audit-trail': (d) => {
    expect(d.auditEvents).not.toBeNull();
  },
  '07-restricted-fields': (d) => {
    const reports = nodes<{ sourceDescription: string | null; author: { focalPoint: unknown } }>(d.reports);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.some((r) => r.sourceDescription === null)).toBe(true);
    expect(reports.every((r) => r.author.focalPoint !== null)).toBe(true);
  },
  '09-who-am-i': (d) => {
    expect(d.viewer).toMatchObject({ authenticated: true, organizationId: 'kaz-cso', organizationKind: 'CIVIL_SOCIETY' });
  },
};

/** The errors a response may carry: none, or those the example's `# expect:` lines announce. */
function assertOnlyExpectedErrors(example: ExampleOperation, response: GraphQLResponse) {
  const expected = example.expect.map((line) => {
    const [code, field] = line.split(/\s+/);
    return { code, field: field?.split('.').pop() };
  });
  const unexpected = (response.errors ?? []).filter(
    (error) => !expected.some((e) => error.extensions?.code === e.code && (!e.field || error.path?.at(-1) === e.field)),
  );
  expect(unexpected, JSON.stringify(unexpected)).toEqual([]);
  for (const e of expected) {
    expect(
      response.errors?.some((error) => error.extensions?.code === e.code && (!e.field || error.path?.at(-1) === e.field)),
      `${example.name} is meant to show ${e.code} on ${e.field}`,
    ).toBe(true);
  }
}

describe('example operations (examples/operations/)', () => {
  it('are there, each with a title, an explanation and a persona', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const example of examples) {
      expect(example.title.length, example.name).toBeGreaterThan(5);
      expect(example.description.length, example.name).toBeGreaterThan(40);
      expect(personaById(example.persona), example.name).toBeDefined();
    }
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s is valid against the schema', (_name, example) => {
    const document = parse(example.query);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    expect(document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)).toHaveLength(1);
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s: its default variables are those the operation declares', (_name, example) => {
    const declared = (operationOf(example).variableDefinitions ?? []).map((v) => v.variable.name.value).sort();
    const given = example.variables ? Object.keys(JSON.parse(example.variables)).sort() : [];
    expect(given.every((name) => declared.includes(name)), `${given} ⊄ ${declared}`).toBe(true);
  });

  it.each(queries.map((e) => [e.name, e] as const))('%s runs on the sample data as its persona', async (_name, example) => {
    const response = await gql(api.url, example.query, example.variables ? JSON.parse(example.variables) : {}, await headersAs(example.persona));
    expect(response.status, JSON.stringify(response.errors)).toBe(200);
    assertOnlyExpectedErrors(example, response);
    expect(response.data).toBeTruthy();
    for (const [field, value] of Object.entries(response.data!)) expect(value, `${example.name}: ${field}`).not.toBeNull();
    SHOWS[example.name]?.(response.data!);
  });

  it('every query example has a check of what it shows', () => {
    expect(queries.map((e) => e.name).filter((name) => !SHOWS[name])).toEqual([]);
  });

  it.each(subscriptions.map((e) => [e.name, e] as const))('%s delivers a raised alert over WebSocket', async (_name, example) => {
    const variables = JSON.parse(example.variables || '{}') as { country?: string };
    const country = variables.country ?? 'TJK';
    const { authorization } = await headersAs(example.persona);
    const sub = await subscribe<{ alertRaised: { id: string } }>(api.url, example.query, variables, authorization);
    try {
      const { data } = await gql(api.url, '{ indicators(filter: { periodicity: MONTHLY }) { code worseDirection maxValue thresholds { critical } } }');
      const spec = (data!.indicators as { code: string; worseDirection: string; maxValue: number | null; thresholds: { critical: number } }[]).find(
        (i) => i.worseDirection === 'HIGHER' && (i.maxValue === null || i.maxValue >= i.thresholds.critical),
      )!;
      const value = spec.maxValue === null ? spec.thresholds.critical + 5 : spec.thresholds.critical;
      const recorded = await gql(
        api.url,
        'mutation Spike($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id level } } }',
        { input: [{ indicator: spec.code, country, period: '2027-02', value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
        { authorization: `Bearer ${await tokenFor('unodc', ['contributor'])}` },
      );
      expect(recorded.errors).toBeUndefined();
      const [alert] = recorded.data!.recordObservations.alerts as { id: string; level: string }[];
      expect(alert?.level).toBe('CRITICAL');
      await expect(sub.next((e) => e.alertRaised.id === alert!.id)).resolves.toBeTruthy();
    } finally {
      await sub.close();
    }
  });
});
