import { and, eq, isNotNull, notInArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observations } from '../src/db/schema/observations.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, PERSONAS, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
let reportId: string;
let references: string[];
let ownReportId: string;
let observation: { id: string; indicatorCode: string; countryIso3: string; periodStart: string };

const personaOrgs = Object.values(PERSONAS).flatMap((p) => (p ? [p.org] : []));

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  const db = api.app.database.db;
  // A public report of an organization none of the personas belongs to, citing both sanctions lists.
  const [report] = await db
    .select({ id: reports.id, refs: reports.sanctionsReferences })
    .from(reports)
    .where(
      and(
        eq(reports.tlp, 'CLEAR'),
        isNotNull(reports.sourceDescription),
        notInArray(reports.authorOrgId, personaOrgs),
        sql`exists (select 1 from unnest(${reports.sanctionsReferences}) r where r like 'QD%')`,
        sql`exists (select 1 from unnest(${reports.sanctionsReferences}) r where r like 'TA%')`,
      ),
    )
    .limit(1);
  const [own] = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.tlp, 'GREEN'), eq(reports.authorOrgId, 'kaz-ct'), sql`cardinality(${reports.sanctionsReferences}) > 0`))
    .limit(1);
  const [obs] = await db
    .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, periodStart: observations.periodStart })
    .from(observations)
    .where(and(eq(observations.tlp, 'CLEAR'), isNotNull(observations.note), sql`${observations.supersededAt} is null`, notInArray(observations.sourceOrgId, personaOrgs)))
    .limit(1);
  if (!report || !own || !obs) throw new Error('sample data lacks a fixture for the field contract');
  reportId = report.id;
  references = report.refs;
  ownReportId = own.id;
  observation = obs;
});
afterAll(() => api?.stop());

const REPORT = `query($id: UUID!) { report(id: $id) {
  id title sourceReliability informationCredibility sourceDescription sanctionsReferences
  sharedWith { id } accessLog(first: 1) { totalCount }
  author { id focalPoint { name email } }
} }`;

type Outcome = 'shown' | 'denied';
/** The field matrix for a report that is NOT the persona's own (TLP:CLEAR, so every persona sees the row). */
const EXPECTED: Record<PersonaName, Record<string, Outcome | 'QD' | 'TA' | 'all'>> = {
  anonymous:      { sourceReliability: 'denied', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'denied' },
  unodcAnalyst:   { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  committee1267:  { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'QD', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  committee1988:  { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'TA', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  monitoringTeam: { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'all', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  scoRats:        { sourceReliability: 'shown', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  kazContributor: { sourceReliability: 'shown', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  kazAdmin:       { sourceReliability: 'shown', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  civilSociety:   { sourceReliability: 'shown', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  expert:         { sourceReliability: 'shown', sourceDescription: 'denied', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'denied', focalPoint: 'shown' },
  auditor:        { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'denied', sharedWith: 'denied', accessLog: 'shown', focalPoint: 'shown' },
  networkAdmin:   { sourceReliability: 'shown', sourceDescription: 'shown', sanctionsReferences: 'denied', sharedWith: 'shown', accessLog: 'denied', focalPoint: 'shown' },
};

function deniedPaths(errors: { path?: (string | number)[]; extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).map((e) => {
    expect(e.extensions?.code).toBe('FORBIDDEN');
    return (e.path ?? []).join('.');
  });
}

describe('who sees which report fields (persona × field)', () => {
  for (const persona of Object.keys(EXPECTED) as PersonaName[]) {
    it(persona, async () => {
      const { data, errors } = await gql(api.url, REPORT, { id: reportId }, await headersFor(idp, persona));
      const denied = deniedPaths(errors);
      const report = data!.report;
      expect(report.id).toBe(reportId);
      const expected = EXPECTED[persona];
      const check = (field: string, value: unknown, path: string) => {
        if (expected[field] === 'denied') {
          expect(value, field).toBeNull();
          expect(denied, field).toContain(path);
        } else {
          expect(value, field).not.toBeNull();
          expect(denied, field).not.toContain(path);
        }
      };
      check('sourceReliability', report.sourceReliability, 'report.sourceReliability');
      check('sourceReliability', report.informationCredibility, 'report.informationCredibility');
      check('sourceDescription', report.sourceDescription, 'report.sourceDescription');
      check('sanctionsReferences', report.sanctionsReferences, 'report.sanctionsReferences');
      check('sharedWith', report.sharedWith, 'report.sharedWith');
      check('accessLog', report.accessLog, 'report.accessLog');
      check('focalPoint', report.author.focalPoint, 'report.author.focalPoint');
      const list = expected.sanctionsReferences;
      if (list === 'QD') expect(report.sanctionsReferences).toEqual(references.filter((r) => r.startsWith('QD')));
      if (list === 'TA') expect(report.sanctionsReferences).toEqual(references.filter((r) => r.startsWith('TA')));
      if (list === 'all') expect(report.sanctionsReferences).toEqual(references);
    });
  }

  it('the originating organization sees every field of its own report, all sanctions references included', async () => {
    for (const persona of ['kazContributor', 'kazAdmin'] as const) {
      const { data, errors } = await gql(api.url, REPORT, { id: ownReportId }, await headersFor(idp, persona));
      expect(errors).toBeUndefined();
      expect(data!.report.sourceDescription).not.toBeNull();
      expect(data!.report.sanctionsReferences.length).toBeGreaterThan(0);
      expect(data!.report.sharedWith).not.toBeNull();
      expect(data!.report.accessLog).not.toBeNull();
    }
  });
});

describe('who sees observation notes', () => {
  const Q = `query($code: String!, $country: String, $period: Period) { indicator(code: $code) {
    observations(country: $country, from: $period, to: $period) { edges { node { id note sourceReliability } } } } }`;
  const variables = () => ({ code: observation.indicatorCode, country: observation.countryIso3, period: observation.periodStart.slice(0, 7) });
  const cases: [PersonaName, boolean][] = [
    ['unodcAnalyst', true],
    ['auditor', true],
    ['scoRats', false],
    ['committee1267', false],
    ['kazContributor', false],
    ['anonymous', false],
  ];
  for (const [persona, sees] of cases) {
    it(`${persona} ${sees ? 'sees' : 'is refused'} the note of another organization's value`, async () => {
      const { data, errors } = await gql(api.url, Q, variables(), await headersFor(idp, persona));
      const [edge] = data!.indicator.observations.edges;
      expect(edge.node.id).toBe(observation.id);
      if (sees) {
        expect(edge.node.note).toEqual(expect.any(String));
        expect(errors).toBeUndefined();
      } else {
        expect(edge.node.note).toBeNull();
        expect(errors!.map((e) => [e.path!.join('.'), e.extensions!.code])).toContainEqual([
          'indicator.observations.edges.0.node.note',
          'FORBIDDEN',
        ]);
      }
    });
  }
});

describe('viewer explains an empty field', () => {
  it('lists what a profile can never read and what it reads on some records only', async () => {
    const q = '{ viewer { authenticated organizationKind deniedFields conditionalFields } }';
    const anonymous = (await gql(api.url, q)).data!.viewer;
    expect(anonymous.deniedFields).toEqual(expect.arrayContaining(['Report.sourceDescription', 'Organization.focalPoint', 'Report.sanctionsReferences']));
    const rats = (await gql(api.url, q, {}, await headersFor(idp, 'scoRats'))).data!.viewer;
    expect(rats.organizationKind).toBe('REGIONAL_ORGANIZATION');
    expect(rats.deniedFields).not.toContain('Organization.focalPoint');
    expect(rats.deniedFields).toContain('Query.auditEvents');
    expect(rats.conditionalFields).toEqual(expect.arrayContaining(['Report.sourceDescription', 'Report.sanctionsReferences']));
    const auditor = (await gql(api.url, q, {}, await headersFor(idp, 'auditor'))).data!.viewer;
    expect(auditor.deniedFields).not.toContain('Query.auditEvents');
  });
});
