import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX } from '../src/stix/inbox.js';
import { tlpMarkingId } from '../src/stix/markings.js';
import { identityIdOf, locationIdOf } from '../src/stix/reference.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

/**
 * TAXII 2.1 writes (§5.5 Add Objects, §4.3 Get Status) as a TAXII client speaks them: the inbox in the
 * collection list with can_read/can_write for the caller, the request media type (415), the API root's
 * max_content_length (413), who may write (401, 403), the 202 status resource and who may read it
 * (the writing organization; anyone else gets 404, as for a missing status). What the import does
 * with the objects is test/stix.import.test.ts.
 */

const TAXII = 'application/taxii+json;version=2.1';
const ROOT = '/taxii2/ctewn';
const INBOX_PATH = `${ROOT}/collections/${INBOX.id}`;
let api: TestApp;
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
}, 180_000);
afterAll(() => api?.stop());

async function get(path: string, persona: PersonaName = 'anonymous') {
  const response = await fetch(`${api.url}${path}`, { headers: { accept: TAXII, ...(await headersFor(idp, persona)) } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function post(body: string, persona: PersonaName = 'kazContributor', contentType: string | null = TAXII, path = `${INBOX_PATH}/objects/`) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { accept: TAXII, ...(contentType ? { 'content-type': contentType } : {}), ...(await headersFor(idp, persona)) },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const report = () => ({
  type: 'report',
  spec_version: '2.1',
  id: `report--${randomUUID()}`,
  created: '2026-11-05T00:00:00.000Z',
  modified: '2026-11-05T00:00:00.000Z',
  name: 'Pushed through TAXII',
  labels: ['violent-extremism'],
  published: '2026-11-05T00:00:00.000Z',
  created_by_ref: identityIdOf('kaz-ct'),
  object_refs: [locationIdOf('KAZ')],
  object_marking_refs: [tlpMarkingId('GREEN')],
});

describe('the inbox in the collection list', () => {
  it.each([
    ['kazContributor', true],
    ['civilSociety', false],
    ['anonymous', false],
  ] as [PersonaName, boolean][])('%s: can_read false, can_write %s', async (persona, canWrite) => {
    const list = await get(`${ROOT}/collections/`, persona);
    const inbox = list.body.collections.find((c: { id: string }) => c.id === INBOX.id);
    expect(inbox).toMatchObject({ title: 'CT-EWN inbox', can_read: false, can_write: canWrite, media_types: ['application/stix+json;version=2.1'] });
    expect((await get(`${INBOX_PATH}/`, persona)).body).toEqual(inbox);
  });

  it('reading the inbox is 403 (write-only), with an error object', async () => {
    const r = await get(`${INBOX_PATH}/objects/`, 'kazContributor');
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ title: 'Forbidden', http_status: '403', description: expect.stringContaining('CT-EWN reports') });
  });
});

describe('who may write, and what a request must be', () => {
  it('no token: 401 with WWW-Authenticate; an analyst: 403', async () => {
    const body = JSON.stringify({ objects: [report()] });
    const anonymous = await post(body, 'anonymous');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const analyst = await post(body, 'civilSociety');
    expect(analyst.status).toBe(403);
    expect(analyst.body.description).toMatch(/contributor role/);
  });

  it.each([['application/json'], ['application/taxii+json;version=2.0'], ['application/stix+json;version=2.1'], [null]])('Content-Type %s: 415', async (type) => {
    const r = await post(JSON.stringify({ objects: [report()] }), 'kazContributor', type);
    expect(r.status).toBe(415);
    expect(r.headers.get('content-type')).toBe(TAXII);
    expect(r.body).toMatchObject({ http_status: '415', description: expect.stringContaining(TAXII) });
  });

  it('a body over the API root\'s max_content_length: 413, nothing read', async () => {
    const limit: number = (await get(`${ROOT}/`)).body.max_content_length;
    const big = JSON.stringify({ objects: [{ ...report(), description: 'x'.repeat(limit) }] });
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ http_status: '413', description: expect.stringContaining(String(limit)) });
  });

  it('not JSON, or no objects: 400 with an error object', async () => {
    expect((await post('{"objects": [')).status).toBe(400);
    const empty = await post(JSON.stringify({ objects: [] }));
    expect(empty.status).toBe(400);
    expect(empty.body.description).toMatch(/non-empty "objects" array/);
  });

  it('a readable collection still refuses writes with 403, naming the inbox', async () => {
    const list = await get(`${ROOT}/collections/`);
    const reports = list.body.collections.find((c: { title: string }) => c.title === 'CT-EWN reports');
    const r = await post(JSON.stringify({ objects: [report()] }), 'kazContributor', TAXII, `${ROOT}/collections/${reports.id}/objects/`);
    expect(r.status).toBe(403);
    expect(r.body.description).toContain(INBOX.id);
  });
});

describe('the status resource', () => {
  it('202 with a complete status; the writing organization reads it again, others get 404', async () => {
    const pushed = await post(JSON.stringify({ objects: [report()] }));
    expect(pushed.status).toBe(202);
    expect(pushed.headers.get('content-type')).toBe(TAXII);
    // TAXII 2.1 §4.3.1: the required members.
    expect(pushed.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'complete', total_count: 1, success_count: 1, failure_count: 0, pending_count: 0 });
    const path = `${ROOT}/status/${pushed.body.id}/`;
    expect(await get(path, 'kazContributor')).toMatchObject({ status: 200, body: pushed.body });
    // Another person of the same organization (its org-admin) reads it too: the status is the organization's.
    expect((await get(path, 'kazAdmin')).body).toEqual(pushed.body);
    for (const persona of ['unodcAnalyst', 'civilSociety', 'anonymous'] as PersonaName[]) {
      const other = await get(path, persona);
      expect(other.status).toBe(404);
      expect(other.body).toMatchObject({ http_status: '404' });
    }
    expect((await get(`${ROOT}/status/${randomUUID()}/`, 'kazContributor')).status).toBe(404);
    expect((await get(`${ROOT}/status/not-a-uuid/`, 'kazContributor')).status).toBe(404);
  });

  it('a refused request is 202 too: every object a failure, the report\'s naming why', async () => {
    const bad = { ...report(), object_marking_refs: undefined };
    const pushed = await post(JSON.stringify({ objects: [bad] }));
    expect(pushed.status).toBe(202);
    expect(pushed.body).toMatchObject({ status: 'complete', total_count: 1, success_count: 0, failure_count: 1, failures: [{ id: bad.id, version: bad.modified, message: expect.stringMatching(/^has no marking/) }] });
  });
});
