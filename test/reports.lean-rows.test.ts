import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousViewer } from '../src/auth/viewer.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { findReportPagesByScope, findReports } from '../src/db/queries/reports.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { selectsAnyBelow } from '../src/schema/common/selection.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

/**
 * A list of reports that selects neither `summary` nor `body` reads its rows without them (they are most
 * of a row's bytes). Held here: the query functions really leave them out when told; the selection test
 * sees them however they are asked for (alias, fragment, inline fragment, any depth); and over HTTP every
 * list shape that asks for them gets exactly the text the report has.
 */
const TEXT = new Set(['summary', 'body']);

function infoOf(document: string) {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selectsAnyBelow', () => {
  it.each([
    ['{ reports { edges { node { body } } } }', true],
    ['{ reports { edges { node { text: summary } } } }', true],
    ['{ reports { edges { node { ...R } } } } fragment R on Report { id ...S } fragment S on Report { summary }', true],
    ['{ reports { edges { node { ... on Report { body } } } } }', true],
    ['{ reports { edges { node { tearlineOf { body } } } } }', true],
    ['{ reports { edges { node { id title tlp countries { iso3 } author { acronym } } } } }', false],
    ['{ reports { totalCount pageInfo { endCursor } } }', false],
    ['{ reports { edges { node { ...R } } } } fragment R on Report { id title }', false],
  ])('%s → %s', (document, expected) => {
    expect(selectsAnyBelow(infoOf(document), TEXT)).toBe(expected);
  });
});

describe('lean report rows', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database);
    await seedSampleData(database.db, { reports: 20, years: 1 });
  }, 120_000);
  afterAll(() => database?.close());

  it('a list read without text leaves summary and body out, and nothing else', async () => {
    const query = { orderBy: 'PUBLISHED_DESC' as const, first: 10 };
    const full = await findReports(database.db, anonymousViewer, query);
    const lean = await findReports(database.db, anonymousViewer, { ...query, withText: false });
    expect(full.edges.length).toBeGreaterThan(0);
    expect(full.edges.every((e) => typeof e.node.summary === 'string' && typeof e.node.body === 'string')).toBe(true);
    expect(lean.edges.every((e) => e.node.summary === undefined && e.node.body === undefined)).toBe(true);
    const strip = ({ summary: _s, body: _b, ...rest }: (typeof full.edges)[number]['node']) => rest;
    expect(lean.edges.map((e) => strip(e.node))).toEqual(full.edges.map((e) => strip(e.node)));
  });

  it('the same for nested pages (a country’s reports)', async () => {
    const query = { orderBy: 'PUBLISHED_DESC' as const, first: 5 };
    const scope = { by: 'country' as const, keys: ['KAZ', 'TJK'] };
    const full = await findReportPagesByScope(database.db, anonymousViewer, scope, query);
    const lean = await findReportPagesByScope(database.db, anonymousViewer, scope, { ...query, withText: false });
    const nodes = (pages: typeof full) => [...pages.values()].flatMap((p) => p.edges.map((e) => e.node));
    expect(nodes(full).length).toBeGreaterThan(0);
    expect(nodes(full).every((r) => typeof r.body === 'string')).toBe(true);
    expect(nodes(lean).every((r) => r.body === undefined && r.summary === undefined)).toBe(true);
    expect(nodes(lean).map((r) => r.id)).toEqual(nodes(full).map((r) => r.id));
  });
});

describe('over HTTP, every list shape that asks for the text gets it', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  }, 120_000);
  afterAll(() => api?.stop());

  it('top-level, nested under countries and organizations, through aliases and fragments', async () => {
    // The text each report has, read by id (the by-id path reads whole rows).
    const byId = new Map<string, { summary: string; body: string }>();
    const textOf = async (ids: string[]) => {
      const missing = [...new Set(ids)].filter((id) => !byId.has(id));
      for (let i = 0; i < missing.length; i += 10) {
        const batch = missing.slice(i, i + 10);
        const query = `{ ${batch.map((id, k) => `r${k}: report(id: "${id}") { id summary body }`).join(' ')} }`;
        const response = await gql<Record<string, { id: string; summary: string; body: string }>>(api.url, query);
        for (const report of Object.values(response.data!)) byId.set(report.id, { summary: report.summary, body: report.body });
      }
    };
    const shapes = [
      '{ reports(first: 20) { edges { node { id s: summary } } } }',
      '{ reports(first: 20) { edges { node { ...T } } } } fragment T on Report { id body }',
      '{ countries { reports(first: 5) { edges { node { id ... on Report { summary body } } } } } }',
      '{ organizations(first: 30) { edges { node { reports(first: 5) { edges { node { id ...T } } } } } } } fragment T on Report { summary }',
    ];
    let checked = 0;
    for (const shape of shapes) {
      const response = await gql(api.url, shape);
      expect(response.errors, shape).toBeUndefined();
      const reports: { id: string; summary?: string; s?: string; body?: string }[] = [];
      JSON.stringify(response.data, (key, value: unknown) => {
        if (key === 'node' && value && typeof value === 'object' && 'id' in value) reports.push(value as (typeof reports)[number]);
        return value;
      });
      expect(reports.length, shape).toBeGreaterThan(0);
      await textOf(reports.map((r) => r.id));
      for (const report of reports) {
        const expected = byId.get(report.id)!;
        if ('summary' in report || 's' in report) expect(report.summary ?? report.s, shape).toBe(expected.summary);
        if ('body' in report) expect(report.body, shape).toBe(expected.body);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
