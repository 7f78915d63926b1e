import type { AccessRecord } from '../auth/access-log.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { publishChanges } from '../db/queries/change-feed.js';
import { findPublishedObservations, visibleObservationKeys } from '../db/queries/observations.js';
import { findPublishedReports, visibleReportIds } from '../db/queries/reports.js';
import type { ReferenceData } from '../db/reference.js';
import { toObservation } from '../schema/observation/observation.mapper.js';
import { toReport } from '../schema/report/report.mapper.js';
import { observationsToStix, reportsToStix } from './bundle.js';
import { gradingExtensionDefinition, OBSERVATION_TYPE, REFERENCE_EPOCH, seriesExtensionDefinition } from './extensions.js';
import { stixId } from './ids.js';
import { tlpMarkingDefinition } from './markings.js';
import { observationIdOf, observationVersion } from './observation.js';
import { countryLocation, indicatorObject, networkIdentity, organizationIdentity, type StixObject } from './reference.js';
import { reportIdOf, reportVersion } from './report.js';

/**
 * What a TAXII server serves, as collections of STIX objects. The list of collections is the same for
 * every caller and names no record: which objects a caller gets from a collection is decided by the row
 * rule inside the query functions, so no collection tells a caller that records it may not see exist.
 */
export type CollectionKey = 'reference' | 'reports' | 'indicator-values';

export interface Collection {
  key: CollectionKey;
  id: string;
  title: string;
  description: string;
}

const collectionId = (key: CollectionKey) => stixId('collection', 'collection', key).replace(/^collection--/, '');

export const COLLECTIONS: readonly Collection[] = [
  {
    key: 'reference',
    id: collectionId('reference'),
    title: 'CT-EWN reference data',
    description:
      'Organizations (identity), countries (location), early-warning indicator definitions (ctewn-indicator), the TLP 2.0 marking definitions and the extension definitions the other collections use. TLP:CLEAR. Poll it first: the objects of the other collections refer to these.',
  },
  {
    key: 'reports',
    id: collectionId('reports'),
    title: 'CT-EWN reports',
    description:
      'The reports you may see under your token (TLP 2.0 and the network\'s grants), one version per report: its current revision. Retracted reports are served revoked.',
  },
  {
    key: 'indicator-values',
    id: collectionId('indicator-values'),
    title: 'CT-EWN indicator values',
    description:
      'The early-warning indicator values you may see under your token (ctewn-observation objects of the extension CT-EWN early-warning indicator series): each source\'s figure for an indicator, country and period, its latest revision you may see; a correction is a new version of the same object.',
  },
];

export const collectionById = (id: string) => COLLECTIONS.find((c) => c.id === id);

export interface ObjectsQuery {
  /** A STIX timestamp, as the client sent it (microseconds count: stamps are a microsecond apart). */
  addedAfter?: string | null;
  /** STIX ids (match[id]). */
  ids?: readonly string[] | null;
  /** STIX types (match[type]). */
  types?: readonly string[] | null;
  /** match[version]: 'last' (the default), 'first', 'all', or timestamps. */
  versions?: readonly string[] | null;
  limit: number;
  next?: string | null;
}

export interface Entry {
  object: StixObject;
  /** When this version was added to the collection. */
  dateAdded: string;
  version: string;
}

export interface ObjectsPage {
  entries: Entry[];
  more: boolean;
  next: string | null;
}

/** A `next` value a client sent back is not one this server gave. */
export class BadNext extends Error {}

const encodeNext = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function decodeNext<T>(next: string, check: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through: any undecodable value is the same mistake
  }
  throw new BadNext('`next` is not a value this collection gave; start again without it');
}

/**
 * Only the current version of an object is served (earlier revisions of a report stay readable through
 * GraphQL `Report.revisions`, under the marking each had). So `last` and `all` are that version, `first`
 * is it only for an object that has never been revised, and a timestamp matches it only if it is its
 * `modified`.
 */
function versionWanted(versions: readonly string[] | null | undefined, modified: string, neverRevised: boolean): boolean {
  const wanted = versions && versions.length > 0 ? versions : ['last'];
  return wanted.some((v) => v === 'last' || v === 'all' || (v === 'first' && neverRevised) || Date.parse(v) === Date.parse(modified));
}

function referenceObjects(reference: ReferenceData): StixObject[] {
  const objects: StixObject[] = [
    networkIdentity(),
    seriesExtensionDefinition() as unknown as StixObject,
    gradingExtensionDefinition() as unknown as StixObject,
    ...['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'].map((m) => tlpMarkingDefinition(m) as unknown as StixObject),
    ...[...reference.organizationById.values()].map(organizationIdentity),
    ...reference.countries.map(countryLocation),
    ...[...reference.indicatorByCode.values()].map((i) => indicatorObject(i, reference.applicabilityByCode.get(i.code))),
  ];
  return objects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function readReference(reference: ReferenceData, query: ObjectsQuery): ObjectsPage {
  const offset = query.next ? decodeNext(query.next, (v): v is { offset: number } => typeof (v as { offset?: unknown })?.offset === 'number').offset : 0;
  const addedAt = new Date(REFERENCE_EPOCH);
  if (query.addedAfter && Date.parse(query.addedAfter) >= addedAt.getTime()) return { entries: [], more: false, next: null };
  const matching = referenceObjects(reference).filter(
    (o) => (!query.ids?.length || query.ids.includes(o.id)) && (!query.types?.length || query.types.includes(o.type)) && versionWanted(query.versions, o.modified as string, true),
  );
  const page = matching.slice(offset, offset + query.limit);
  const more = offset + query.limit < matching.length;
  return {
    entries: page.map((object) => ({ object, dateAdded: REFERENCE_EPOCH, version: object.modified as string })),
    more,
    next: more ? encodeNext({ offset: offset + query.limit }) : null,
  };
}

const isStampCursor = (v: unknown): v is { at: string } => typeof (v as { at?: unknown })?.at === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test((v as { at: string }).at);

/**
 * Where a page starts: after both `added_after` and the `next` cursor (the stamp of the last entry of the
 * page before). Stamps are distinct and only grow (change-feed.ts), so either is an exact position.
 */
function startOf(query: ObjectsQuery): string | null {
  const cursor = query.next ? decodeNext(query.next, isStampCursor).at : null;
  const addedAfter = query.addedAfter ? asStamp(query.addedAfter) : null;
  if (!cursor) return addedAfter;
  if (!addedAfter) return cursor;
  return cursor >= addedAfter ? cursor : addedAfter;
}

/**
 * A STIX timestamp in the stamps' own form (six fraction digits), so two compare as strings. Digits past
 * the sixth are cut, not rounded: "after 12.3456789" is "after 12.345678" for stamps a microsecond apart.
 */
function asStamp(timestamp: string): string {
  const [whole = '', fraction = ''] = timestamp.replace(/Z$/, '').split('.');
  return `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

function pageOf<T>(rows: readonly T[], limit: number, stampOf: (row: T) => string): { read: T[]; more: boolean; next: string | null } {
  const more = rows.length > limit;
  const read = rows.slice(0, limit);
  const last = read.at(-1);
  return { read, more, next: more && last ? encodeNext({ at: stampOf(last) }) : null };
}

async function readReports(db: Db, viewer: Viewer, access: AccessRecord, query: ObjectsQuery): Promise<ObjectsPage> {
  if (query.types?.length && !query.types.includes('report')) return { entries: [], more: false, next: null };
  let ids: string[] | null = null;
  if (query.ids?.length) {
    // STIX ids are UUIDv5 of ours, which cannot be reversed: the ids of the reports the viewer may see are
    // mapped forward and matched (one index-only statement under the row rule).
    const wanted = new Set(query.ids);
    ids = (await visibleReportIds(db, viewer)).filter((r) => wanted.has(r.stixId ?? reportIdOf(r.id))).map((r) => r.id);
    if (ids.length === 0) return { entries: [], more: false, next: null };
  }
  const rows = await findPublishedReports(db, viewer, { after: startOf(query), ids, first: query.limit + 1 });
  const { read, more, next } = pageOf(rows, query.limit, (r) => r.dateAdded);
  // Filtered before mapping, so a version not sent is not recorded as read either.
  const page = read.map((r) => ({ report: toReport(r.report), dateAdded: r.dateAdded })).filter(({ report }) => versionWanted(query.versions, reportVersion(report), report.revision === 1));
  const objects = await reportsToStix(db, viewer, access, page.map((p) => p.report));
  const entries = objects.map((object, i) => ({ object, dateAdded: page[i]!.dateAdded, version: object.modified as string }));
  return { entries, more, next };
}

async function readObservations(db: Db, viewer: Viewer, access: AccessRecord, reference: ReferenceData, query: ObjectsQuery): Promise<ObjectsPage> {
  if (query.types?.length && !query.types.includes(OBSERVATION_TYPE)) return { entries: [], more: false, next: null };
  let ids: string[] | null = null;
  if (query.ids?.length) {
    // As for reports: the keys of the values the viewer may see, mapped forward to STIX ids and matched.
    const wanted = new Set(query.ids);
    ids = (await visibleObservationKeys(db, viewer)).filter((k) => wanted.has(observationIdOf(k))).map((k) => k.id);
    if (ids.length === 0) return { entries: [], more: false, next: null };
  }
  const rows = await findPublishedObservations(db, viewer, { after: startOf(query), ids, first: query.limit + 1 });
  const { read, more, next } = pageOf(rows, query.limit, (r) => r.dateAdded);
  const page = read
    .map((r) => ({ observation: toObservation(r.observation, reference.levels), dateAdded: r.dateAdded }))
    .filter(({ observation }) => versionWanted(query.versions, observationVersion(observation), observation.revision === 1));
  const objects = await observationsToStix(db, viewer, access, page.map((p) => p.observation));
  const entries = objects.map((object, i) => ({ object, dateAdded: page[i]!.dateAdded, version: object.modified as string }));
  return { entries, more, next };
}

/**
 * One page of a collection for this viewer, in the order objects were added. Reports and values go through
 * reportsToStix and observationsToStix: the row rule, the field policy and the access record, as
 * everywhere else.
 */
export async function readCollection(db: Db, viewer: Viewer, access: AccessRecord, reference: ReferenceData, key: CollectionKey, query: ObjectsQuery): Promise<ObjectsPage> {
  if (key === 'reference') return readReference(reference, query);
  // Whatever has committed is published before the read, so a client sees its own write at once.
  await publishChanges(db);
  if (key === 'indicator-values') return readObservations(db, viewer, access, reference, query);
  return readReports(db, viewer, access, query);
}
