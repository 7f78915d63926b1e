import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, extendSchema, parse, Source, validate, type GraphQLObjectType } from 'graphql';
import { validate as inspectorValidate } from '@graphql-inspector/core';
import { createShield, restrictedFields, ruleFor } from '../src/auth/policy.js';
import { buildBareSchema, fieldsWithoutRule, printSortedSchema } from '../src/schema/build.js';
import { printClientSchema } from '../src/schema/client-sdl.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const OPERATIONS = 'examples/operations/';
const operations = readdirSync(new URL(`../${OPERATIONS}`, import.meta.url))
  .filter((file) => file.endsWith('.graphql'))
  .map((file) => new Source(read(`${OPERATIONS}${file}`), `${OPERATIONS}${file}`));

describe('the schema as a checked-in artifact', () => {
  it('schema.graphql is the SDL the code builds (run `npm run schema:print` after a change)', async () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(printSortedSchema(await buildBareSchema())).toBe(committed);
  });

  it('schema.client.graphql is the client SDL the code builds (same command, same drift check)', async () => {
    expect(printClientSchema(await buildBareSchema())).toBe(read('schema.client.graphql'));
  });

  it('standard tools reject the subgraph SDL, which is why the client SDL exists', () => {
    expect(() => buildSchema(read('schema.graphql'))).toThrow('Unknown directive "@link"');
  });

  it('the client SDL loads in graphql-js buildSchema, without federation machinery', () => {
    const client = buildSchema(read('schema.client.graphql'));
    const query = client.getQueryType()!.getFields();
    expect(query._service).toBeUndefined();
    expect(query._entities).toBeUndefined();
    expect(Object.keys(client.getTypeMap()).filter((name) => /^_[^_]|^(link|federation)__/.test(name))).toEqual([]);
    expect(client.getDirectives().map((d) => d.name).sort()).toEqual(['deprecated', 'include', 'oneOf', 'skip', 'specifiedBy']);
    // The API itself is all there: every type and root field of the served schema but the router's.
    expect(Object.keys(query)).toEqual(expect.arrayContaining(['reports', 'report', 'viewer', 'alerts']));
    expect(client.getSubscriptionType()?.getFields().alertRaised).toBeDefined();
  });

  it('every example operation is valid against the client SDL (graphql-js and graphql-inspector)', () => {
    const client = buildSchema(read('schema.client.graphql'));
    expect(operations.length).toBeGreaterThanOrEqual(9);
    for (const source of operations) {
      expect(validate(client, parse(source)).map((e) => e.message), source.name).toEqual([]);
    }
    expect(inspectorValidate(client, operations).flatMap((doc) => doc.errors.map((e) => `${doc.source.name}: ${e.message}`))).toEqual([]);
  });

  it('keeps the public root fields partner integrations rely on', async () => {
    const query = (await buildBareSchema()).getQueryType()!;
    const fields = query.getFields();
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['countries', 'country', 'organizations', 'organization', 'reports', 'report', 'indicators', 'indicator']),
    );
    expect(fields.organizations!.args.map((a) => a.name)).toEqual(expect.arrayContaining(['filter', 'first', 'after']));
    expect(fields.reports!.args.map((a) => a.name)).toEqual(expect.arrayContaining(['filter', 'orderBy', 'first', 'after']));
    expect(fields.country!.args.map((a) => a.name)).toEqual(['iso3']);
    expect(fields.indicator!.args.map((a) => a.name)).toEqual(['code']);
  });
});

describe('default deny', () => {
  it('every field of every object type has an authorization rule', async () => {
    expect(fieldsWithoutRule(await buildBareSchema())).toEqual([]);
  });

  it('a field the policy does not name is reported (so the server refuses to start)', () => {
    expect(ruleFor('Country', 'someNewField')).toBeDefined(); // Country has a type-wide rule
    expect(ruleFor('Report', 'someNewField')).toBeUndefined(); // Report names each field
    expect(ruleFor('UnknownType', 'x')).toBeUndefined();
    expect(ruleFor('Query', 'someNewRootField')).toBeUndefined();
  });
});

describe('the field layer wraps what can refuse, and nothing else', () => {
  it('every restricted field gets a shield wrapper; public fields resolve unwrapped', async () => {
    const shielded = createShield(await buildBareSchema()) as Record<string, Record<string, unknown>>;
    const wrapped = Object.entries(shielded).flatMap(([type, fields]) => Object.keys(fields).map((field) => `${type}.${field}`));
    for (const { path } of restrictedFields()) {
      const [type, field] = path.split('.') as [string, string];
      if (field === '*') expect(Object.keys(shielded[type] ?? {}).length).toBeGreaterThan(0);
      else expect(wrapped).toContain(path);
    }
    expect(wrapped).not.toContain('Report.title');
    expect(wrapped).not.toContain('Observation.value');
    expect(shielded.Country).toBeUndefined();
  });

  it('a field the policy does not name is still wrapped, by the deny fallback', async () => {
    const schema = extendSchema(await buildBareSchema(), parse('extend type Report { secretNewField: String }'));
    const shielded = createShield(schema) as Record<string, Record<string, unknown>>;
    expect(Object.keys(shielded.Report ?? {})).toContain('secretNewField');
    expect(Object.keys(shielded.Report ?? {})).not.toContain('title');
  });
});

describe('plain fields resolve as properties', () => {
  it('no type-graphql wrapper on fields without a resolver method, of any type', async () => {
    const schema = await buildBareSchema();
    const plain = ['Observation.value', 'Observation.period', 'Report.tlp', 'Report.publishedAt', 'Country.iso3', 'ReportEdge.cursor', 'ReportEdge.node', 'PageInfo.hasNextPage', 'Indicator.code', 'Alert.level', 'AuditEvent.kind', 'Grant.id'];
    for (const path of plain) {
      const [type, field] = path.split('.') as [string, string];
      expect((schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve, path).toBeUndefined();
    }
    // Fields with a resolver method keep it.
    expect((schema.getType('Report') as GraphQLObjectType).getFields().title!.resolve).toBeTypeOf('function');
  });
});
