import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findObservations } from '../src/db/queries/observations.js';
import { findReports } from '../src/db/queries/reports.js';
import type { ReferenceData } from '../src/db/reference.js';
import { auditEvents } from '../src/db/schema/audit.js';
import { SERIES_EXTENSION_ID, SERIES_SCHEMA } from '../src/stix/extensions.js';
import { identityIdOf, indicatorIdOf, locationIdOf } from '../src/stix/reference.js';
import { reportIdOf } from '../src/stix/report.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { bundleErrors, type AnyStix } from './support/stix-schemas.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';
import { viewerFor } from './support/viewers.js';

/**
 * The TAXII 2.1 server (src/http/taxii.ts) spoken to as a TAXII client does: the media type, the required
 * members and headers of the spec's resources, paging, filters, the same row and field rules as GraphQL,
 * the access log, and the refusals (406, 401, 400, 404) with the spec's error objects.
 */

const TAXII = 'application/taxii+json;version=2.1';
let api: TestApp;
let idp: TestIdentityProvider;
let reference: ReferenceData;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  reference = await api.app.database.reference.get(api.app.database.db);
}, 180_000);
afterAll(() => api?.stop());

interface TaxiiResponse {
  status: number;
  headers: Headers;
  body: any;
}

async function taxii(path: string, persona: PersonaName | Record<string, string> = 'anonymous', accept = TAXII): Promise<TaxiiResponse> {
  const auth = typeof persona === 'string' ? await headersFor(idp, persona) : persona;
  const response = await fetch(`${api.url}${path}`, { headers: { accept, ...auth } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const ROOT = '/taxii2/ctewn';
let collections: Record<string, string> = {};
async function collectionPath(title: string) {
  if (!collections[title]) {
    const list = await taxii(`${ROOT}/collections/`);
    collections = Object.fromEntries(list.body.collections.map((c: { id: string; title: string }) => [c.title, `${ROOT}/collections/${c.id}`]));
  }
  return collections[title]!;
}
const reportsPath = () => collectionPath('CT-EWN reports');
const referencePath = () => collectionPath('CT-EWN reference data');
const valuesPath = () => collectionPath('CT-EWN indicator values');

const ourId = (o: AnyStix) => (o.external_references as { source_name: string; external_id: string }[]).find((r) => r.source_name === 'ct-ewn')!.external_id;

/** Every page of a collection's objects, following `next`. */
async function allObjects(path: string, persona: PersonaName, query = '', limit = 1000) {
  const objects: AnyStix[] = [];
  let next: string | null = null;
  for (let guard = 0; guard < 200; guard += 1) {
    const sep = query ? `&${query}` : '';
    const r = await taxii(`${path}/objects/?limit=${limit}${sep}${next ? `&next=${encodeURIComponent(next)}` : ''}`, persona);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    objects.push(...(r.body.objects ?? []));
    if (!r.body.more) return objects;
    next = r.body.next;
    expect(typeof next).toBe('string');
  }
  throw new Error('paging did not end');
}

/** Every report the persona may see, retracted ones included, read straight through the query function. */
async function visibleReports(persona: PersonaName): Promise<string[]> {
  const viewer = viewerFor(reference, persona);
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await findReports(api.app.database.db, viewer, { filter: { includeRetracted: true }, orderBy: 'PUBLISHED_DESC', first: 500, after });
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

describe('resources and media type (TAXII 2.1 §4–5)', () => {
  it('discovery, API root, collections and a collection carry their required members', async () => {
    const discovery = await taxii('/taxii2/');
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    expect(discovery.body).toMatchObject({ title: expect.any(String), default: '/taxii2/ctewn/', api_roots: ['/taxii2/ctewn/'] });
    const root = await taxii(`${ROOT}/`);
    expect(root.body).toMatchObject({ title: expect.any(String), versions: [TAXII], max_content_length: expect.any(Number) });
    const list = await taxii(`${ROOT}/collections/`);
    expect(list.body.collections.map((c: { title: string }) => c.title)).toEqual(['CT-EWN reference data', 'CT-EWN reports', 'CT-EWN indicator values', 'CT-EWN inbox']);
    for (const c of list.body.collections) {
      // The inbox (test/taxii.write.test.ts) is write-only, and only for contributors: not for the anonymous caller.
      expect(c).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), title: expect.any(String), can_read: c.title !== 'CT-EWN inbox', can_write: false, media_types: ['application/stix+json;version=2.1'] });
      expect((await taxii(`${ROOT}/collections/${c.id}/`)).body).toEqual(c);
    }
  });

  it('the collections are the same for every caller: none tells that records exist', async () => {
    // Only can_write differs: it says what the caller may do (the inbox, for contributors), nothing about records.
    const withoutCanWrite = (body: { collections: Record<string, unknown>[] }) => body.collections.map(({ can_write: _, ...c }) => c);
    const anonymous = await taxii(`${ROOT}/collections/`);
    for (const persona of ['kazContributor', 'monitoringTeam', 'civilSociety'] as PersonaName[]) expect(withoutCanWrite((await taxii(`${ROOT}/collections/`, persona)).body)).toEqual(withoutCanWrite(anonymous.body));
  });

  it.each(['application/json', '*/*', 'application/taxii+json;version=2.0', 'application/stix+json;version=2.1'])('Accept: %s is refused with 406 and an error object', async (accept) => {
    const r = await taxii('/taxii2/', 'anonymous', accept);
    expect(r.status).toBe(406);
    expect(r.headers.get('content-type')).toBe(TAXII);
    expect(r.body).toMatchObject({ title: expect.any(String), http_status: '406' });
  });

  it('the unversioned TAXII media type is accepted (the latest version, 2.1)', async () => {
    expect((await taxii('/taxii2/', 'anonymous', 'application/taxii+json')).status).toBe(200);
  });

  it('HTTP Basic is refused with a clear message; a bad bearer token is 401', async () => {
    const basic = await taxii(`${ROOT}/collections/`, { authorization: `Basic ${Buffer.from('user:password').toString('base64')}` });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Bearer');
    expect(basic.body.http_status).toBe('401');
    expect(basic.body.description).toMatch(/Bearer/);
    expect(basic.body.title).toMatch(/Basic/);
    const bad = await taxii(`${ROOT}/collections/`, { authorization: 'Bearer not.a.token' });
    expect(bad.status).toBe(401);
    expect(bad.body.http_status).toBe('401');
  });

  it('an unknown collection, object or path is 404; a bad filter or next is 400, as error objects', async () => {
    const reports = await reportsPath();
    for (const [path, status] of [
      [`${ROOT}/collections/00000000-0000-4000-8000-000000000000/objects/`, 404],
      [`${reports}/objects/report--00000000-0000-4000-8000-000000000000/`, 404],
      ['/taxii2/nowhere/', 404],
      [`${reports}/objects/?added_after=yesterday`, 400],
      [`${reports}/objects/?next=bogus`, 400],
      [`${reports}/objects/?limit=0`, 400],
      [`${reports}/objects/?match[colour]=red`, 400],
      [`${reports}/objects/?match[version]=newest`, 400],
    ] as const) {
      const r = await taxii(path);
      expect(r.status, path).toBe(status);
      expect(r.headers.get('content-type')).toBe(TAXII);
      expect(r.body.http_status, path).toBe(String(status));
    }
  });

  it('the series extension\'s schema is served where its extension definition says', async () => {
    const response = await fetch(`${api.url}/stix/schemas/ctewn-indicator-series-1.0.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(SERIES_SCHEMA)));
    const definition = (await allObjects(await referencePath(), 'anonymous', 'match[type]=extension-definition')).find((o) => o.id === SERIES_EXTENSION_ID)!;
    expect(definition.schema).toContain('/stix/schemas/ctewn-indicator-series-1.0.json');
  });

  it('the readable collections are read-only: a write is 403', async () => {
    const response = await fetch(`${api.url}${await reportsPath()}/objects/`, {
      method: 'POST',
      headers: { accept: TAXII, 'content-type': TAXII, ...(await headersFor(idp, 'kazContributor')) },
      body: JSON.stringify({ objects: [] }),
    });
    expect(response.status).toBe(403);
  });
});

describe('objects: the same rules as GraphQL', () => {
  it.each(['anonymous', 'kazContributor', 'committee1988'] as PersonaName[])('%s: the reports collection holds exactly the reports the row rule lets it see', async (persona) => {
    const [objects, expected] = await Promise.all([allObjects(await reportsPath(), persona), visibleReports(persona)]);
    expect(objects.every((o) => o.type === 'report')).toBe(true);
    expect(objects.map(ourId).sort()).toEqual([...expected].sort());
  });

  it('every object served, with the reference collection, is a valid STIX 2.1 bundle', async () => {
    const [refs, reports] = await Promise.all([allObjects(await referencePath(), 'monitoringTeam'), allObjects(await reportsPath(), 'monitoringTeam', 'match[type]=report', 500)]);
    const bundle = { type: 'bundle', id: 'bundle--6cb4964e-25cb-4c29-a410-8e05e6f092c0', objects: [...refs, ...reports.slice(0, 300)] };
    expect(bundleErrors(bundle)).toEqual([]);
    const ids = new Set(bundle.objects.map((o) => o.id));
    const dangling = reports.slice(0, 300).flatMap((o) => [o.created_by_ref, ...(o.object_refs as string[])]).filter((id) => !ids.has(id as string) && !(id as string).startsWith('report--'));
    expect(dangling).toEqual([]);
  });

  it('paging by `next` never skips or repeats an object, in date_added order, with the date headers', async () => {
    const path = await reportsPath();
    const whole = await allObjects(path, 'unodcAnalyst');
    const paged = await allObjects(path, 'unodcAnalyst', '', 37);
    expect(paged.map((o) => o.id)).toEqual(whole.map((o) => o.id));
    expect(new Set(paged.map((o) => o.id)).size).toBe(paged.length);
    const manifest = await taxii(`${path}/manifest/?limit=25`, 'unodcAnalyst');
    const entries = manifest.body.objects as { id: string; date_added: string; version: string; media_type: string }[];
    expect(entries).toHaveLength(25);
    expect(manifest.body.more).toBe(true);
    expect(manifest.headers.get('x-taxii-date-added-first')).toBe(entries[0]!.date_added);
    expect(manifest.headers.get('x-taxii-date-added-last')).toBe(entries[24]!.date_added);
    const times = entries.map((e) => Date.parse(e.date_added));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(entries.map((e) => e.id)).toEqual(whole.slice(0, 25).map((o) => o.id));
    expect(entries.map((e) => e.version)).toEqual(whole.slice(0, 25).map((o) => o.modified));
  });

  it('added_after, match[id], match[type] and match[version] filter as the spec says', async () => {
    const path = await reportsPath();
    const contributor = await headersFor(idp, 'kazContributor');
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const created = await gql<{ createReport: { id: string } }>(
      api.url,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`,
      { input: { title: 'TAXII added_after probe', summary: 'one', body: 'b', language: 'EN', kind: 'INCIDENT', topics: ['BORDER_SECURITY'], countries: ['KAZ'], tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 } },
      contributor,
    );
    const id = created.data!.createReport.id;
    const stixId = reportIdOf(id);
    const since = await taxii(`${path}/objects/?added_after=${before}`, 'unodcAnalyst');
    expect(since.body.objects.map((o: AnyStix) => o.id)).toEqual([stixId]);
    expect(since.headers.get('x-taxii-date-added-first')).not.toBeNull();
    expect(Date.parse(since.headers.get('x-taxii-date-added-first')!)).toBeGreaterThan(Date.parse(before));

    const byId = await taxii(`${path}/objects/?match[id]=${stixId}`, 'unodcAnalyst');
    expect(byId.body.objects.map((o: AnyStix) => o.id)).toEqual([stixId]);
    expect((await taxii(`${path}/objects/${stixId}/`, 'unodcAnalyst')).body.objects[0].id).toBe(stixId);
    expect((await taxii(`${path}/objects/?match[type]=identity`, 'unodcAnalyst')).body.objects).toBeUndefined();
    const locations = await allObjects(await referencePath(), 'anonymous', 'match[type]=location');
    expect(new Set(locations.map((o) => o.type))).toEqual(new Set(['location']));
    expect(locations.length).toBe(reference.countries.length);

    // A revision: a new version, later date_added; `first` no longer matches it (only the current version is served).
    const updated = await gql(api.url, `mutation($id: UUID!) { updateReport(id: $id, expectedRevision: 1, input: { summary: "two" }) { revision } }`, { id }, contributor);
    expect(updated.errors).toBeUndefined();
    const versions = await taxii(`${path}/objects/${stixId}/versions/`, 'unodcAnalyst');
    expect(versions.body.versions).toHaveLength(1);
    expect(Date.parse(versions.body.versions[0])).toBeGreaterThan(Date.parse(since.body.objects[0].modified));
    expect((await taxii(`${path}/objects/?match[id]=${stixId}&match[version]=first`, 'unodcAnalyst')).body.objects).toBeUndefined();
    expect((await taxii(`${path}/objects/?match[id]=${stixId}&match[version]=${versions.body.versions[0]}`, 'unodcAnalyst')).body.objects).toHaveLength(1);
    expect((await taxii(`${path}/objects/?match[id]=${stixId}&match[version]=${since.body.objects[0].modified}`, 'unodcAnalyst')).body.objects).toBeUndefined();
  });
});

/** Every value in force the persona may see, read straight through the export's query function. */
async function visibleValues(persona: PersonaName): Promise<string[]> {
  const viewer = viewerFor(reference, persona);
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await findObservations(api.app.database.db, viewer, {}, 2000, after);
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

describe('the indicator-values collection', () => {
  it.each(['anonymous', 'kazContributor', 'unodcAnalyst'] as PersonaName[])('%s: exactly the values in force the row and revision rules let it see', async (persona) => {
    const [objects, expected] = await Promise.all([allObjects(await valuesPath(), persona), visibleValues(persona)]);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.every((o) => o.type === 'ctewn-observation')).toBe(true);
    expect(objects.map(ourId).sort()).toEqual([...expected].sort());
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  });

  it('its objects, with the reference collection, are a valid STIX 2.1 bundle; the note and grading only for whom the policy lets read them', async () => {
    const [refs, values, anonymous] = await Promise.all([
      allObjects(await referencePath(), 'unodcAnalyst'),
      taxii(`${await valuesPath()}/objects/?limit=500`, 'unodcAnalyst'),
      taxii(`${await valuesPath()}/objects/?limit=500`, 'anonymous'),
    ]);
    const objects = values.body.objects as AnyStix[];
    expect(bundleErrors({ type: 'bundle', id: 'bundle--6cb4964e-25cb-4c29-a410-8e05e6f092c0', objects: [...refs, ...objects] } as never)).toEqual([]);
    expect(objects.every((o) => typeof o.x_ctewn_source_reliability === 'string')).toBe(true);
    for (const o of anonymous.body.objects as AnyStix[]) {
      expect(o).not.toHaveProperty('x_ctewn_source_reliability');
      expect(o).not.toHaveProperty('description');
    }
  });

  it('a correction is a new version of the same object, found by added_after', async () => {
    const path = await valuesPath();
    const kazIdentity = identityIdOf('kaz-ct');
    const mine = (await allObjects(path, 'kazContributor')).find((o) => o.created_by_ref === kazIdentity && o.location_ref === locationIdOf('KAZ'))!;
    expect(mine).toBeDefined();
    const indicator = [...reference.indicatorByCode.values()].find((i) => indicatorIdOf(i.code) === mine.indicator_ref)!;
    const country = { iso3: 'KAZ' };
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const value = (mine.value as number) > 0 ? (mine.value as number) / 2 : 1;
    const recorded = await gql(
      api.url,
      `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { observations { id } } }`,
      { input: [{ indicator: indicator.code, country: country.iso3, period: mine.period, value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
      await headersFor(idp, 'kazContributor'),
    );
    expect(recorded.errors, JSON.stringify(recorded.errors)).toBeUndefined();
    const since = await taxii(`${path}/objects/?added_after=${before}`, 'unodcAnalyst');
    const corrected = (since.body.objects as AnyStix[]).find((o) => o.id === mine.id)!;
    expect(corrected).toBeDefined();
    expect(corrected.value).toBe(value);
    expect(corrected.created).toBe(mine.created);
    expect(Date.parse(corrected.modified as string)).toBeGreaterThan(Date.parse(mine.modified as string));
    const versions = await taxii(`${path}/objects/${mine.id}/versions/`, 'unodcAnalyst');
    expect(versions.body.versions).toEqual([corrected.modified]);
  });
});

describe('leaks on TAXII paths', () => {
  it('a hidden report is absent from objects, manifest, the object and versions endpoints and object_refs, and answers as a missing one', async () => {
    const path = await reportsPath();
    const created = await gql<{ createReport: { id: string } }>(
      api.url,
      `mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`,
      { input: { title: 'TAXII leak probe', summary: 'hidden', body: 'hidden', language: 'EN', kind: 'BRIEFING', topics: ['BORDER_SECURITY'], countries: ['KAZ'], tlp: 'AMBER_STRICT', sourceReliability: 'A', informationCredibility: 1 } },
      await headersFor(idp, 'kazContributor'),
    );
    const hidden = created.data!.createReport.id;
    const releaser = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor', 'org-admin'] })}` };
    const tearline = await gql<{ createTearline: { id: string } }>(
      api.url,
      `mutation($s: UUID!) { createTearline(sourceReportId: $s, marking: GREEN, title: "TAXII leak probe tearline", summary: "released", releaseReason: "for partners") { id } }`,
      { s: hidden },
      releaser,
    );
    expect(tearline.errors).toBeUndefined();
    const stixHidden = reportIdOf(hidden);

    for (const persona of ['unodcAnalyst', 'civilSociety'] as PersonaName[]) {
      const objects = await allObjects(path, persona);
      expect(objects.map((o) => o.id)).toContain(reportIdOf(tearline.data!.createTearline.id));
      expect(JSON.stringify(objects)).not.toContain(stixHidden);
      expect(JSON.stringify(objects)).not.toContain(hidden);
      const manifest = await taxii(`${path}/manifest/?limit=1000&match[id]=${stixHidden}`, persona);
      expect(manifest.body.objects).toBeUndefined();
      const missing = reportIdOf('00000000-0000-4000-8000-000000000000');
      for (const suffix of ['/', '/versions/']) {
        const a = await taxii(`${path}/objects/${stixHidden}${suffix}`, persona);
        const b = await taxii(`${path}/objects/${missing}${suffix}`, persona);
        expect(a.status).toBe(404);
        expect(a.body).toEqual(b.body);
      }
    }
    const own = await taxii(`${path}/objects/${reportIdOf(tearline.data!.createTearline.id)}/`, 'kazContributor');
    expect(own.body.objects[0].object_refs).toContain(stixHidden);
  });

  it('sanctions-list entries only for those who may read them: the committees their own list, others on their own reports only', async () => {
    const path = await reportsPath();
    const read = async (persona: PersonaName) =>
      (await allObjects(path, persona)).flatMap((o) =>
        (o.external_references as { source_name: string; external_id: string }[])
          .filter((r) => r.source_name === 'un-sc-consolidated-list')
          .map((r) => ({ entry: r.external_id, author: o.created_by_ref })),
      );
    for (const [persona, org] of [['civilSociety', 'kaz-cso'], ['unodcAnalyst', 'unodc'], ['scoRats', 'sco-rats']] as const) {
      const entries = await read(persona);
      expect(entries.filter((e) => e.author !== identityIdOf(org)), persona).toEqual([]);
    }
    const committee = await read('committee1267');
    expect(committee.some((e) => e.entry.startsWith('QD'))).toBe(true);
    expect(committee.filter((e) => !e.entry.startsWith('QD') && e.author !== identityIdOf('sc-1267'))).toEqual([]);
    const team = await read('monitoringTeam');
    expect(team.some((e) => e.entry.startsWith('TA')) && team.some((e) => e.entry.startsWith('QD'))).toBe(true);
  });

  it('what a member read is in the access log, as for GraphQL', async () => {
    const path = await reportsPath();
    const objects = await allObjects(path, 'scoRats', 'match[type]=report');
    await api.app.accessLog.flush();
    const entries = await api.app.database.db.select().from(auditEvents).where(and(eq(auditEvents.operationName, 'taxii:reports'), eq(auditEvents.actorOrgId, 'sco-rats')));
    const logged = new Set(entries.flatMap((e) => e.reportIds));
    const nonClear = objects.filter((o) => (o.object_marking_refs as string[])[0] !== 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487').map(ourId);
    expect(nonClear.length).toBeGreaterThan(0);
    expect(logged).toEqual(new Set(nonClear));
    expect(entries.every((e) => e.fields.includes('Report.sourceReliability'))).toBe(true);
  });
});
