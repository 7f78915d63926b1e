import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { AccessRecord, type AccessLogWriter } from '../auth/access-log.js';
import { authenticate } from '../auth/authenticate.js';
import { mayContribute } from '../auth/policy.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/database.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { BadNext, collectionById, COLLECTIONS, readCollection, type Collection, type ObjectsPage, type ObjectsQuery } from '../stix/collections.js';
import { INBOX } from '../stix/inbox.js';
import { databaseUnavailable } from './format-error.js';
import { rateLimitKey, type RateLimits } from './rate-limit.js';
import { addToInbox, InboxRequestProblem, isTaxiiContentType, readInboxStatus, readTaxiiBody } from './taxii-inbox.js';

/**
 * A TAXII 2.1 server (OASIS TAXII Version 2.1, 2021) under /taxii2/: discovery, one API root, its
 * collections, and for each collection its objects, manifest and versions. Every object comes from
 * src/stix/collections.ts, which reads through the query functions (THE row rule) and the field policy,
 * and what a response hands out is written to the access log, as for GraphQL. The one writable
 * collection is the inbox (src/http/taxii-inbox.ts): contributors add STIX reports there, with a status
 * resource per request.
 */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
export const API_ROOT = 'ctewn';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export interface TaxiiDeps {
  database: Database;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  logger: Logger;
  rateLimits: RateLimits;
  maxContentLength: number;
}

/** A TAXII error message (§3.6.1), sent with its HTTP status. */
class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

function send(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // Written as is: res.send would rewrite the media type ("; version=2.1; charset=utf-8"), which a strict
  // TAXII client compares with the one it asked for.
  const text = JSON.stringify(body);
  res.setHeader('content-type', TAXII_MEDIA_TYPE);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

function sendError(res: Response, error: TaxiiError, errorId?: string): void {
  send(res, error.status, { title: error.title, description: error.description, http_status: String(error.status), ...(errorId ? { error_id: errorId } : {}) }, error.headers);
}

/**
 * TAXII 2.1 §1.6.8: a client asks for `application/taxii+json;version=2.1` (or the unversioned type,
 * meaning the latest, which is 2.1 here); anything else, `*\/*` included, is 406: the server must not answer
 * a TAXII 2.0 client with 2.1 content it would misread.
 */
export function acceptsTaxii(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((entry) => {
    const [type = '', ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/taxii+json') return false;
    const values = Object.fromEntries(params.map((p) => p.split('=').map((x) => x.trim().replace(/^"|"$/g, '')) as [string, string]));
    if (values.q !== undefined && Number(values.q) === 0) return false;
    return values.version === undefined || values.version === '2.1';
  });
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const FILTERS = new Set(['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]']);

const badRequest = (description: string) => new TaxiiError(400, 'Bad request', description);

/** The filtering parameters of §3.4.2, checked; an unknown one is refused, so a typo never widens a request silently. */
function parseQuery(req: Request, allowed: readonly string[]): ObjectsQuery & { specVersions: string[] | null } {
  const params = new URL(req.originalUrl, 'http://taxii.invalid').searchParams;
  for (const name of new Set(params.keys())) {
    if (!FILTERS.has(name) || !allowed.includes(name)) throw badRequest(`unknown or unsupported parameter "${name.slice(0, 40)}" here; this endpoint takes ${allowed.join(', ')}`);
    if (params.getAll(name).length > 1) throw badRequest(`${name} must be given once (several values are comma-separated)`);
  }
  const list = (name: string) => {
    const raw = params.get(name);
    return raw === null ? null : raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
  };
  const addedAfterRaw = params.get('added_after');
  if (addedAfterRaw !== null && !(TIMESTAMP.test(addedAfterRaw) && !Number.isNaN(Date.parse(addedAfterRaw)))) {
    throw badRequest('added_after must be a STIX timestamp such as 2026-01-31T00:00:00.000Z');
  }
  const limitRaw = params.get('limit');
  if (limitRaw !== null && !/^[1-9][0-9]{0,6}$/.test(limitRaw)) throw badRequest('limit must be a positive integer');
  const versions = list('match[version]');
  for (const v of versions ?? []) if (!['last', 'first', 'all'].includes(v) && !TIMESTAMP.test(v)) throw badRequest('match[version] takes last, first, all or STIX timestamps');
  return {
    addedAfter: addedAfterRaw,
    // A larger limit is lowered, as §3.4.2 allows the server to.
    limit: Math.min(limitRaw ? Number(limitRaw) : DEFAULT_LIMIT, MAX_LIMIT),
    next: params.get('next'),
    ids: list('match[id]'),
    types: list('match[type]'),
    versions,
    specVersions: list('match[spec_version]'),
  };
}

function collectionResource(c: Collection) {
  return { id: c.id, title: c.title, description: c.description, can_read: true, can_write: false, media_types: [STIX_MEDIA_TYPE] };
}

/** The inbox is listed for everyone (the list names no one); whether the caller may write is its own. */
function inboxResource(viewer: Viewer) {
  return { id: INBOX.id, title: INBOX.title, description: INBOX.description, can_read: false, can_write: mayContribute(viewer), media_types: [STIX_MEDIA_TYPE] };
}

function dateHeaders(page: ObjectsPage): Record<string, string> {
  const first = page.entries[0];
  const last = page.entries[page.entries.length - 1];
  return first && last ? { 'X-TAXII-Date-Added-First': first.dateAdded, 'X-TAXII-Date-Added-Last': last.dateAdded } : {};
}

export function taxiiRouter(deps: TaxiiDeps): Router {
  const router = Router({ strict: false });
  const viewers = new WeakMap<Request, Viewer>();
  const viewerOf = (req: Request) => viewers.get(req)!;

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!acceptsTaxii(req.headers.accept)) {
        throw new TaxiiError(406, 'Not acceptable', `This is a TAXII 2.1 server: send Accept: ${TAXII_MEDIA_TYPE}`);
      }
      const authorization = req.headers.authorization;
      if (authorization && /^basic\s/i.test(authorization.trim())) {
        throw new TaxiiError(
          401,
          'HTTP Basic authentication is not accepted',
          'Send the bearer token (JWT) your organization\'s identity provider issues for the network, as for GraphQL: Authorization: Bearer <token>. A user name and password are not accepted.',
          { 'www-authenticate': 'Bearer' },
        );
      }
      const viewer = await authenticate(deps.database.counted({ count: 0 }), deps.verifyToken, authorization, deps.database.reference);
      await deps.rateLimits.request(rateLimitKey(viewer, req.ip));
      viewers.set(req, viewer);
      next();
    } catch (error) {
      fail(res, error);
    }
  });

  const fail = (res: Response, error: unknown) => {
    if (res.headersSent) return;
    if (error instanceof TaxiiError) return sendError(res, error);
    if (error instanceof BadNext) return sendError(res, badRequest(error.message));
    if (error instanceof InboxRequestProblem) return sendError(res, new TaxiiError(error.status, error.title, error.description));
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) {
      return sendError(res, new TaxiiError(401, 'Unauthorized', 'The bearer token was refused (expired, not signed by a trusted key, or for another audience).', { 'www-authenticate': 'Bearer' }));
    }
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.FORBIDDEN) {
      // An instance token (issue 17): peers call the sync endpoints, never TAXII.
      return sendError(res, new TaxiiError(403, 'Forbidden', error.message));
    }
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.RATE_LIMITED) {
      const seconds = String(Number(error.extensions.retryAfterSeconds));
      return sendError(res, new TaxiiError(429, 'Too many requests', error.message, { 'retry-after': seconds }));
    }
    const errorId = randomUUID();
    if (databaseUnavailable(error)) {
      deps.logger.warn({ errorId, err: error }, 'taxii: database unavailable');
      return sendError(res, new TaxiiError(503, 'Service unavailable', 'The database is unavailable; retry shortly', { 'retry-after': '1' }), errorId);
    }
    deps.logger.error({ errorId, err: error }, 'taxii request failed');
    sendError(res, new TaxiiError(500, 'Internal server error', `Internal server error (error id ${errorId})`), errorId);
  };

  const handle = (fn: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (error) {
      fail(res, error);
    }
  };

  const collectionOf = (req: Request) => {
    if (String(req.params.collection) === INBOX.id) {
      throw new TaxiiError(403, 'Forbidden', 'The inbox is write-only (can_read: false): what you added is read from the CT-EWN reports collection');
    }
    const c = collectionById(String(req.params.collection));
    if (!c) throw new TaxiiError(404, 'Collection not found', 'No collection has this id; GET the collections resource for the list');
    return c;
  };

  /** One page of a collection for the request's viewer; what it hands out goes to the access log. */
  const page = async (req: Request, c: Collection, query: ObjectsQuery & { specVersions: string[] | null }) => {
    if (query.specVersions && !query.specVersions.includes('2.1')) return { entries: [], more: false, next: null } as ObjectsPage;
    const viewer = viewerOf(req);
    const access = new AccessRecord();
    const reference = await deps.database.reference.get(deps.database.db);
    try {
      return await readCollection(deps.database.db, viewer, access, reference, c.key, query);
    } finally {
      if (!access.empty) deps.accessLog.append(access.toEntry(viewer, `taxii:${c.key}`, req.originalUrl));
    }
  };

  router.get(
    '/',
    handle((req, res) => {
      parseQuery(req, []);
      send(res, 200, {
        title: 'CT-EWN: Counter-Terrorism Early Warning Network for Central Asia',
        description: 'Reports and reference data of the network as STIX 2.1, under the same sharing rules (TLP 2.0 and grants) as its GraphQL API.',
        default: `${req.baseUrl}/${API_ROOT}/`,
        api_roots: [`${req.baseUrl}/${API_ROOT}/`],
      });
    }),
  );

  router.get(
    `/${API_ROOT}/`,
    handle((req, res) => {
      parseQuery(req, []);
      send(res, 200, { title: 'CT-EWN', description: 'The network\'s one API root.', versions: [TAXII_MEDIA_TYPE], max_content_length: deps.maxContentLength });
    }),
  );

  router.get(
    `/${API_ROOT}/collections/`,
    handle((req, res) => {
      parseQuery(req, []);
      send(res, 200, { collections: [...COLLECTIONS.map(collectionResource), inboxResource(viewerOf(req))] });
    }),
  );

  router.get(
    `/${API_ROOT}/collections/:collection/`,
    handle((req, res) => {
      parseQuery(req, []);
      if (String(req.params.collection) === INBOX.id) return send(res, 200, inboxResource(viewerOf(req)));
      send(res, 200, collectionResource(collectionOf(req)));
    }),
  );

  router.get(
    `/${API_ROOT}/collections/:collection/objects/`,
    handle(async (req, res) => {
      const c = collectionOf(req);
      const result = await page(req, c, parseQuery(req, ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]']));
      send(res, 200, envelope(result, result.entries.map((e) => e.object)), dateHeaders(result));
    }),
  );

  router.get(
    `/${API_ROOT}/collections/:collection/manifest/`,
    handle(async (req, res) => {
      const c = collectionOf(req);
      const result = await page(req, c, parseQuery(req, ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]']));
      const manifest = result.entries.map((e) => ({ id: e.object.id, date_added: e.dateAdded, version: e.version, media_type: STIX_MEDIA_TYPE }));
      send(res, 200, envelope(result, manifest), dateHeaders(result));
    }),
  );

  router.get(
    `/${API_ROOT}/collections/:collection/objects/:object/`,
    handle(async (req, res) => {
      const c = collectionOf(req);
      const query = parseQuery(req, ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]']);
      const result = await page(req, c, { ...query, ids: [String(req.params.object)] });
      // A record the viewer may not see and one that does not exist answer the same.
      if (result.entries.length === 0) throw new TaxiiError(404, 'Object not found', 'No object with this id in this collection');
      send(res, 200, envelope(result, result.entries.map((e) => e.object)), dateHeaders(result));
    }),
  );

  router.get(
    `/${API_ROOT}/collections/:collection/objects/:object/versions/`,
    handle(async (req, res) => {
      const c = collectionOf(req);
      const query = parseQuery(req, ['added_after', 'limit', 'next', 'match[spec_version]']);
      const result = await page(req, c, { ...query, ids: [String(req.params.object)], versions: ['all'] });
      if (result.entries.length === 0) throw new TaxiiError(404, 'Object not found', 'No object with this id in this collection');
      send(res, 200, { more: false, versions: result.entries.map((e) => e.version) }, dateHeaders(result));
    }),
  );

  router.post(
    `/${API_ROOT}/collections/:collection/objects/`,
    handle(async (req, res) => {
      if (String(req.params.collection) !== INBOX.id) {
        collectionOf(req);
        throw new TaxiiError(403, 'Forbidden', `This collection is read-only (can_write: false): add reports to the inbox, collection ${INBOX.id}`);
      }
      parseQuery(req, []);
      const viewer = viewerOf(req);
      if (viewer.kind !== 'member') throw new TaxiiError(401, 'Unauthorized', 'Adding objects needs a bearer token of a contributor', { 'www-authenticate': 'Bearer' });
      if (!mayContribute(viewer)) throw new TaxiiError(403, 'Forbidden', 'Adding reports needs the contributor role (can_write is false for you)');
      if (!isTaxiiContentType(req.headers['content-type'])) {
        throw new TaxiiError(415, 'Unsupported media type', `Send the objects as a TAXII envelope with Content-Type: ${TAXII_MEDIA_TYPE}`);
      }
      const status = await addToInbox(deps.database, viewer, await readTaxiiBody(req, deps.maxContentLength));
      send(res, 202, status);
    }),
  );

  router.get(
    `/${API_ROOT}/status/:status/`,
    handle(async (req, res) => {
      parseQuery(req, []);
      const viewer = viewerOf(req);
      // Another organization's status and a missing one answer the same: a status names what was written.
      const status = viewer.kind === 'member' ? await readInboxStatus(deps.database, viewer, String(req.params.status)) : undefined;
      if (!status) throw new TaxiiError(404, 'Status not found', 'No status with this id for your organization');
      send(res, 200, status);
    }),
  );

  router.use(
    handle(() => {
      throw new TaxiiError(404, 'Not found', `No TAXII resource here; discovery is at /taxii2/, the API root at /taxii2/${API_ROOT}/`);
    }),
  );
  return router;
}

/** The envelope of §3.7: `more` and `next` when there is more, the items otherwise alone. */
function envelope(result: ObjectsPage, items: unknown[]) {
  return { more: result.more, ...(result.next ? { next: result.next } : {}), ...(items.length > 0 ? { objects: items } : {}) };
}
