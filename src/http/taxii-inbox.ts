import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { MemberViewer } from '../auth/viewer.js';
import type { Database } from '../db/database.js';
import { findTaxiiStatus, saveTaxiiStatus } from '../db/queries/stix-imports.js';
import { importStixBundle, StixImportRefused, type ObjectOutcome } from '../stix/import.js';

/**
 * TAXII 2.1 writes (§5.5 Add Objects, §4.3 Get Status) into the inbox: one collection for every
 * contributor, whose writes go to the caller's own organization (taken from the token, never from the
 * request), so no organization can write as another and the list of collections still names no one.
 * The objects are imported by src/stix/import.ts (the whole envelope checked first, one transaction);
 * the import is done when the 202 answers, so the status is `complete` at once.
 */

/** A request the inbox cannot read, with the status TAXII gives it (the router sends the error object). */
export class InboxRequestProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
  ) {
    super(title);
  }
}

/** §1.6.8: a request's Content-Type is the TAXII media type (the unversioned one meaning 2.1, as for Accept). */
export function isTaxiiContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/taxii+json') return false;
  const version = params.map((p) => p.split('=').map((x) => x.trim().replace(/^"|"$/g, ''))).find(([k]) => k === 'version')?.[1];
  const charset = params.map((p) => p.split('=').map((x) => x.trim().replace(/^"|"$/g, ''))).find(([k]) => k === 'charset')?.[1];
  return (version === undefined || version === '2.1') && (charset === undefined || charset === 'utf-8');
}

/**
 * The body, refused with 413 beyond the API root's max_content_length before it is all read (a client
 * must not make the server hold more than it announced it takes), 400 if it is not JSON.
 */
export async function readTaxiiBody(req: Request, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new InboxRequestProblem(413, 'Content too large', `The API root takes at most ${limit} bytes (max_content_length); send fewer objects per request`);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InboxRequestProblem(400, 'Bad request', 'The body is not JSON: send a TAXII envelope {"objects": [...]} of STIX 2.1 objects');
  }
}

/** An envelope (§3.7) as the bundle the import reads; a STIX bundle sent as is is read as one too. */
function asBundle(body: unknown): { type: 'bundle'; id: string; objects: unknown[] } {
  const value = body as { type?: unknown; id?: unknown; objects?: unknown };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray(value.objects) || value.objects.length === 0) {
    throw new InboxRequestProblem(400, 'Bad request', 'Send a TAXII envelope with a non-empty "objects" array of STIX 2.1 objects');
  }
  if (value.objects.some((o) => typeof o !== 'object' || o === null || typeof (o as { id?: unknown }).id !== 'string')) {
    throw new InboxRequestProblem(400, 'Bad request', 'Every element of "objects" must be a STIX object with an id');
  }
  return { type: 'bundle', id: typeof value.id === 'string' && value.type === 'bundle' ? value.id : `bundle--${randomUUID()}`, objects: value.objects };
}

interface Detail {
  id: string;
  version: string;
  message: string;
}

const versionOf = (o: Record<string, unknown>) => String(o.modified ?? o.created ?? '');
/** Versions compared as instants: "…00.000000Z" sent is "…00.000Z" read. */
const keyOf = (id: string, version: string) => `${id}|${Date.parse(version)}`;

/** The status resource (§4.3.1) of one write. */
function statusResource(id: string, requestedAt: Date, objects: Record<string, unknown>[], outcomes: Map<string, ObjectOutcome> | null, refusal: StixImportRefused | null) {
  const successes: Detail[] = [];
  const failures: Detail[] = [];
  for (const object of objects) {
    const objectId = String(object.id);
    if (refusal) {
      const own = refusal.problems.filter((p) => p.id === objectId).map((p) => p.message);
      const whole = refusal.problems.filter((p) => p.id === null).map((p) => p.message);
      const message = own.length > 0 ? own.join('; ') : `not written: the request was refused as a whole${whole.length ? ` (${whole.join('; ')})` : ' (see the other failures)'}`;
      failures.push({ id: objectId, version: versionOf(object), message });
      continue;
    }
    const outcome = outcomes!.get(keyOf(objectId, versionOf(object))) ?? outcomes!.get(objectId);
    (outcome?.ok ? successes : failures).push({ id: objectId, version: versionOf(object), message: outcome?.message ?? 'not read' });
  }
  return {
    id,
    status: 'complete',
    request_timestamp: requestedAt.toISOString(),
    total_count: objects.length,
    success_count: successes.length,
    ...(successes.length > 0 ? { successes } : {}),
    failure_count: failures.length,
    ...(failures.length > 0 ? { failures } : {}),
    pending_count: 0,
  };
}

/** Imports what a contributor POSTed into the inbox; the status is kept for its organization. */
export async function addToInbox(database: Database, viewer: MemberViewer, body: unknown): Promise<Record<string, unknown>> {
  const requestedAt = new Date();
  const bundle = asBundle(body);
  const objects = bundle.objects as Record<string, unknown>[];
  const statusId = randomUUID();
  let resource;
  try {
    const reference = await database.reference.get(database.db);
    const result = await importStixBundle(database.db, viewer, reference, bundle, { source: `TAXII (status ${statusId})` });
    const outcomes = new Map<string, ObjectOutcome>();
    for (const o of result.outcomes) {
      if (o.version) outcomes.set(keyOf(o.id, o.version), o);
      if (!outcomes.has(o.id)) outcomes.set(o.id, o);
    }
    resource = statusResource(statusId, requestedAt, objects, outcomes, null);
  } catch (error) {
    if (!(error instanceof StixImportRefused)) throw error;
    resource = statusResource(statusId, requestedAt, objects, null, error);
  }
  await saveTaxiiStatus(database.db, { id: statusId, organizationId: viewer.organizationId, requestedAt, resource });
  return resource;
}

export function readInboxStatus(database: Database, viewer: MemberViewer, id: string): Promise<Record<string, unknown> | undefined> {
  return findTaxiiStatus(database.db, viewer.organizationId, id);
}
