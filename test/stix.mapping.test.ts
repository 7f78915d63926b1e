import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessRecord } from '../src/auth/access-log.js';
import { anonymousViewer } from '../src/auth/viewer.js';
import type { ReferenceData } from '../src/db/reference.js';
import { bundleOf, stixObservations, stixReports } from '../src/stix/bundle.js';
import { CTEWN_STIX_NAMESPACE } from '../src/stix/ids.js';
import type { StixObject } from '../src/stix/reference.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { bundleErrors, stixErrors, unpatchedBundleAccepts } from './support/stix-schemas.js';
import { GRADING_EXTENSION_ID, gradingExtensionDefinition, NETWORK_IDENTITY_ID, SERIES_EXTENSION_ID } from '../src/stix/extensions.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';
import { viewerFor } from './support/viewers.js';

/**
 * The STIX 2.1 mapping (src/stix/), held to the official OASIS JSON schemas and to GraphQL: for every
 * persona, the STIX reports are exactly the reports GraphQL lists (the one row rule), and each carries a
 * restricted field exactly when GraphQL gives that field (the one field policy).
 */

let api: TestApp;
let idp: TestIdentityProvider;
let reference: ReferenceData;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  reference = await api.app.database.reference.get(api.app.database.db);
}, 180_000);
afterAll(() => api?.stop());

const PAGE = 100;
const EVERYONE: PersonaName[] = ['anonymous', 'unodcAnalyst', 'committee1267', 'committee1988', 'monitoringTeam', 'scoRats', 'kazContributor', 'civilSociety', 'expert'];

const viewerOf = (persona: PersonaName) => viewerFor(reference, persona);

async function reportsBundle(persona: PersonaName, filter: Record<string, unknown> = {}, first = PAGE) {
  const access = new AccessRecord();
  const page = await stixReports(api.app.database.db, viewerOf(persona), access, { filter, first });
  return { page, bundle: bundleOf(page.objects, reference), access };
}

const ourId = (o: StixObject) => (o.external_references as { source_name: string; external_id: string }[]).find((r) => r.source_name === 'ct-ewn')!.external_id;
const sanctionsOf = (o: StixObject) =>
  ((o.external_references as { source_name: string; external_id: string }[]) ?? []).filter((r) => r.source_name === 'un-sc-consolidated-list').map((r) => r.external_id);

const REPORTS = `query($first: Int, $filter: ReportFilter) { reports(first: $first, filter: $filter) { edges { node { id tlp revision sourceReliability informationCredibility sanctionsReferences } } } }`;
type GqlReport = { id: string; tlp: string; revision: number; sourceReliability: string | null; informationCredibility: number | null; sanctionsReferences: string[] | null };

async function graphqlReports(persona: PersonaName, filter: Record<string, unknown> = {}): Promise<GqlReport[]> {
  const response = await gql<{ reports: { edges: { node: GqlReport }[] } }>(api.url, REPORTS, { first: PAGE, filter }, await headersFor(idp, persona));
  expect(response.status).toBe(200);
  return response.data!.reports.edges.map((e) => e.node);
}

describe('the official STIX 2.1 JSON schemas (draft 2020-12, ajv)', () => {
  it.each(EVERYONE)('every object and the bundle of reports for %s validate', async (persona) => {
    const { bundle } = await reportsBundle(persona);
    expect(bundle.objects.some((o) => o.type === 'report')).toBe(true);
    expect(bundleErrors(bundle)).toEqual([]);
  });

  it.each(['anonymous', 'unodcAnalyst', 'kazContributor'] as PersonaName[])('every object and the bundle of observations for %s validate', async (persona) => {
    const page = await stixObservations(api.app.database.db, viewerOf(persona), new AccessRecord(), reference, { filter: { country: 'KAZ' }, first: 200 });
    const bundle = bundleOf(page.objects, reference);
    expect(page.objects.length).toBeGreaterThan(0);
    expect(page.objects.every((o) => o.type === 'ctewn-observation')).toBe(true);
    expect(bundle.objects.some((o) => o.type === 'ctewn-indicator')).toBe(true);
    expect(bundle.objects.some((o) => o.type === 'extension-definition')).toBe(true);
    expect(bundleErrors(bundle)).toEqual([]);
  });

  it('the validator is not a rubber stamp: broken objects are refused', async () => {
    const { page } = await reportsBundle('unodcAnalyst');
    const report = page.objects[0]!;
    const { object_refs: _refs, ...withoutRefs } = report;
    expect(stixErrors(withoutRefs as StixObject).length).toBeGreaterThan(0);
    expect(stixErrors({ ...report, modified: '2024-01-01T00:00:00Z' }).length).toBeGreaterThan(0);
    expect(stixErrors({ ...report, id: 'report--not-a-uuid' }).length).toBeGreaterThan(0);
    const observation = (await stixObservations(api.app.database.db, anonymousViewer, new AccessRecord(), reference, { filter: {}, first: 1 })).objects[0]!;
    expect(stixErrors({ ...observation, level: 'severe' }).length).toBeGreaterThan(0);
    expect(stixErrors({ ...observation, extensions: {} }).length).toBeGreaterThan(0);
  });

  it('the one patch to bundle.json is needed: as published it refuses any extension-definition, even a valid one', () => {
    const definition = gradingExtensionDefinition() as unknown as StixObject;
    expect(stixErrors(definition)).toEqual([]);
    const bundle = { type: 'bundle', id: 'bundle--6cb4964e-25cb-4c29-a410-8e05e6f092c0', objects: [definition] };
    expect(unpatchedBundleAccepts(bundle)).toBe(false);
    expect(bundleErrors(bundle)).toEqual([]);
  });

  it('every reference inside a bundle resolves to an object of the bundle', async () => {
    const { bundle } = await reportsBundle('monitoringTeam');
    const ids = new Set(bundle.objects.map((o) => o.id));
    const refs = bundle.objects.flatMap((o) => Object.entries(o).flatMap(([k, v]) => (/_refs?$/.test(k) ? (Array.isArray(v) ? v : [v]) : [])));
    const dangling = refs.filter((r) => !ids.has(r as string));
    expect(dangling).toEqual([]);
  });
});

describe('the same row rule and field rules as GraphQL', () => {
  it.each(EVERYONE)('%s: the STIX reports are the GraphQL reports, with the same restricted fields', async (persona) => {
    const [{ page }, rows] = await Promise.all([reportsBundle(persona), graphqlReports(persona)]);
    expect(page.objects.map(ourId)).toEqual(rows.map((r) => r.id));
    page.objects.forEach((o, i) => {
      const row = rows[i]!;
      expect(o.x_ctewn_source_reliability ?? null).toBe(row.sourceReliability);
      expect(o.x_ctewn_information_credibility ?? null).toBe(row.informationCredibility);
      expect(sanctionsOf(o)).toEqual(row.sanctionsReferences ?? []);
    });
  });

  it('TLP 2.0: each marking is the OASIS marking-definition id for the record\'s TLP, AMBER+STRICT included', async () => {
    const OASIS: Record<string, string> = {
      CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
      GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      AMBER_STRICT: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
    };
    const seen = new Set<string>();
    for (const tlp of Object.keys(OASIS)) {
      const [{ bundle, page }, rows] = await Promise.all([reportsBundle('kazContributor', { tlp }, 5), graphqlReports('kazContributor', { tlp })]);
      expect(page.objects.length, tlp).toBeGreaterThan(0);
      expect(rows.length).toBeGreaterThan(0);
      for (const o of page.objects) expect(o.object_marking_refs).toEqual([OASIS[tlp]]);
      const marking = bundle.objects.find((o) => o.id === OASIS[tlp])!;
      expect(marking).toMatchObject({ type: 'marking-definition', name: `TLP:${tlp.replace('_', '+')}` });
      seen.add(tlp);
    }
    expect(seen.size).toBe(5);
  });
});

describe('leaks', () => {
  it('a report the viewer may not see is absent: not an object, not in any object_refs', async () => {
    // kaz-ct writes an AMBER report and releases a TLP:CLEAR tearline of it; anonymous sees the tearline only.
    // A tearline lowers the marking: the contributor who is also the organization's org-admin releases it.
    const admin = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor', 'org-admin'] })}` };
    const created = await gql<{ createReport: { id: string } }>(
      api.url,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`,
      { input: { title: 'STIX leak probe source', summary: 'source', body: 'source body', language: 'EN', kind: 'BRIEFING', topics: ['BORDER_SECURITY'], countries: ['KAZ'], tlp: 'AMBER', sourceReliability: 'B', informationCredibility: 2 } },
      await headersFor(idp, 'kazContributor'),
    );
    expect(created.errors).toBeUndefined();
    const source = created.data!.createReport.id;
    const tearline = await gql<{ createTearline: { id: string } }>(
      api.url,
      `mutation($s: UUID!) { createTearline(sourceReportId: $s, marking: CLEAR, title: "STIX leak probe tearline", summary: "released", releaseReason: "public summary") { id } }`,
      { s: source },
      admin,
    );
    expect(tearline.errors).toBeUndefined();
    const tearlineId = tearline.data!.createTearline.id;
    const stixSource = `report--${uuidv5(`report:${source}`, CTEWN_STIX_NAMESPACE)}`;

    const anonymous = await reportsBundle('anonymous', { author: 'kaz-ct' });
    const anonTearline = anonymous.page.objects.find((o) => ourId(o) === tearlineId)!;
    expect(anonTearline).toBeDefined();
    expect(JSON.stringify(anonymous.bundle)).not.toContain(stixSource);
    expect(JSON.stringify(anonymous.bundle)).not.toContain(source);

    const own = await reportsBundle('kazContributor', { author: 'kaz-ct' });
    expect(own.page.objects.find((o) => ourId(o) === tearlineId)!.object_refs).toContain(stixSource);
    expect(own.page.objects.map(ourId)).toContain(source);
  });

  it('sanctions-list references go only to those who may read them, each committee its own list', async () => {
    const all = await graphqlReports('monitoringTeam', { topic: 'SANCTIONS_IMPLEMENTATION' });
    const both = all.find((r) => (r.sanctionsReferences ?? []).some((s) => s.startsWith('QD')) && (r.sanctionsReferences ?? []).some((s) => s.startsWith('TA')) && r.tlp === 'GREEN');
    expect(both, 'the sample has a GREEN report citing both lists').toBeDefined();
    const byPersona = async (persona: PersonaName) => {
      const { page } = await reportsBundle(persona, { topic: 'SANCTIONS_IMPLEMENTATION' });
      return page.objects.find((o) => ourId(o) === both!.id);
    };
    const refs = both!.sanctionsReferences!;
    expect(sanctionsOf((await byPersona('monitoringTeam'))!).sort()).toEqual([...refs].sort());
    expect(sanctionsOf((await byPersona('committee1267'))!)).toEqual(refs.filter((s) => s.startsWith('QD')));
    expect(sanctionsOf((await byPersona('committee1988'))!)).toEqual(refs.filter((s) => s.startsWith('TA')));
    for (const persona of ['unodcAnalyst', 'civilSociety', 'expert', 'scoRats'] as PersonaName[]) {
      const o = (await byPersona(persona))!;
      expect(o, persona).toBeDefined();
      expect(sanctionsOf(o), persona).toEqual([]);
      for (const entry of refs) expect(JSON.stringify(o), persona).not.toContain(entry);
    }
  });

  it('grading is left out for anonymous callers, not sent empty', async () => {
    const { page } = await reportsBundle('anonymous');
    for (const o of page.objects) {
      expect(o).not.toHaveProperty('x_ctewn_source_reliability');
      expect(o).not.toHaveProperty('x_ctewn_information_credibility');
      expect(o).not.toHaveProperty('confidence');
      expect(o).not.toHaveProperty('extensions');
    }
  });

  it('the access record holds what was handed out, as for GraphQL', async () => {
    const { page, access } = await reportsBundle('committee1267', { topic: 'SANCTIONS_IMPLEMENTATION' });
    const nonClear = page.objects.filter((o) => (o.object_marking_refs as string[])[0] !== 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487').map(ourId);
    expect(nonClear.length).toBeGreaterThan(0);
    expect([...access.reportIds].sort()).toEqual(nonClear.sort());
    expect(access.fields).toContain('Report.sanctionsReferences');
    expect(access.fields).toContain('Report.sourceReliability');
  });
});

describe('ids and versions', () => {
  it('ids are UUIDv5 of our ids in the fixed namespace: the same on every export', async () => {
    const [a, b] = await Promise.all([reportsBundle('unodcAnalyst'), reportsBundle('unodcAnalyst')]);
    expect(a.page.objects.map((o) => o.id)).toEqual(b.page.objects.map((o) => o.id));
    for (const o of a.page.objects) expect(o.id).toBe(`report--${uuidv5(`report:${ourId(o)}`, CTEWN_STIX_NAMESPACE)}`);
    expect(a.bundle.id).not.toBe(b.bundle.id);
  });

  it('the extension definitions keep the ids docs/STIX.md gives (receiving platforms key extensions by id)', () => {
    expect(SERIES_EXTENSION_ID).toBe('extension-definition--240572b5-9225-5f5d-a508-06ac6028a342');
    expect(GRADING_EXTENSION_ID).toBe('extension-definition--9e283bf5-5ffa-508e-903f-41420bb79b24');
    expect(NETWORK_IDENTITY_ID).toBe('identity--0793cfd4-6a2d-5f4f-89d8-847dae991330');
  });

  it('a new revision keeps the id and moves `modified`; created stays', async () => {
    const contributor = await headersFor(idp, 'kazContributor');
    const created = await gql<{ createReport: { id: string } }>(
      api.url,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`,
      { input: { title: 'STIX revision probe', summary: 'first', body: 'first body', language: 'EN', kind: 'INCIDENT', topics: ['VIOLENT_EXTREMISM'], countries: ['KAZ'], tlp: 'GREEN', sourceReliability: 'C', informationCredibility: 3 } },
      contributor,
    );
    const id = created.data!.createReport.id;
    const find = async () => (await reportsBundle('unodcAnalyst', { author: 'kaz-ct' })).page.objects.find((o) => ourId(o) === id)!;
    const first = await find();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await gql(api.url, `mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "second" }) { revision } }`, { id }, contributor);
    expect(updated.errors).toBeUndefined();
    const second = await find();
    expect(second.id).toBe(first.id);
    expect(second.created).toBe(first.created);
    expect(Date.parse(second.modified as string)).toBeGreaterThan(Date.parse(first.modified as string));
    expect(second.description).toMatch(/^second/);
    expect(stixErrors(second)).toEqual([]);
    expect(first.confidence).toBe(50);
  });

  it('modified is never before created', async () => {
    const { page } = await reportsBundle('monitoringTeam', {}, 100);
    for (const o of page.objects) expect(Date.parse(o.modified as string)).toBeGreaterThanOrEqual(Date.parse(o.created as string));
  });
});
