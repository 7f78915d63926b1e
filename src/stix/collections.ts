import type { AccessRecord } from '../auth/access-log.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { findObservationChanges, visibleObservationKeys } from '../db/queries/observations.js';
import { findReportChanges, visibleReportIds } from '../db/queries/reports.js';
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
  addedAfter?: Date | null;
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
  if (query.addedAfter && query.addedAfter >= addedAt) return { entries: [], more: false, next: null };
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

const isKeyset = (v: unknown): v is { at: string; id: string } =>
  typeof (v as { at?: unknown })?.at === 'string' && !Number.isNaN(Date.parse((v as { at: string }).at)) && /^[0-9a-f-]{36}$/.test(String((v as { id?: unknown }).id));

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
  const after = query.next ? decodeNext(query.next, isKeyset) : null;
  const rows = await findReportChanges(db, viewer, {
    writtenAfter: query.addedAfter ?? null,
    after: after ? { at: new Date(after.at), id: after.id } : null,
    ids,
    first: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const read = rows.slice(0, query.limit).map((row) => toReport(row));
  const last = read[read.length - 1];
  // Filtered before mapping, so a version not sent is not recorded as read either.
  const page = read.filter((r) => versionWanted(query.versions, reportVersion(r), r.revision === 1));
  const objects = await reportsToStix(db, viewer, access, page);
  const entries = objects.map((object, i) => ({ object, dateAdded: page[i]!.updatedAt.toISOString(), version: object.modified as string }));
  return { entries, more, next: more && last ? encodeNext({ at: last.updatedAt.toISOString(), id: last.id }) : null };
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
  const after = query.next ? decodeNext(query.next, isKeyset) : null;
  const rows = await findObservationChanges(db, viewer, {
    recordedAfter: query.addedAfter ?? null,
    after: after ? { at: new Date(after.at), id: after.id } : null,
    ids,
    first: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const read = rows.slice(0, query.limit).map((row) => toObservation(row, reference.levels));
  const last = read[read.length - 1];
  const page = read.filter((o) => versionWanted(query.versions, observationVersion(o), o.revision === 1));
  const objects = await observationsToStix(db, viewer, access, page);
  const entries = objects.map((object, i) => ({ object, dateAdded: page[i]!.recordedAt.toISOString(), version: object.modified as string }));
  return { entries, more, next: more && last ? encodeNext({ at: last.recordedAt.toISOString(), id: last.id }) : null };
}

/**
 * One page of a collection for this viewer, in the order objects were added. Reports and values go through
 * reportsToStix and observationsToStix: the row rule, the field policy and the access record, as
 * everywhere else.
 */
export function readCollection(db: Db, viewer: Viewer, access: AccessRecord, reference: ReferenceData, key: CollectionKey, query: ObjectsQuery): Promise<ObjectsPage> {
  if (key === 'reference') return Promise.resolve(readReference(reference, query));
  if (key === 'indicator-values') return readObservations(db, viewer, access, reference, query);
  return readReports(db, viewer, access, query);
}
