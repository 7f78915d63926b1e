import { randomUUID } from 'node:crypto';
import type { AccessRecord } from '../auth/access-log.js';
import { readsFieldOn, sanctionsReferencesFor } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { findObservations, type ObservationFilter } from '../db/queries/observations.js';
import { findReports, reportsByIds, type ReportFilter, type ReportOrder } from '../db/queries/reports.js';
import type { ReferenceData } from '../db/reference.js';
import { toObservation } from '../schema/observation/observation.mapper.js';
import type { Observation } from '../schema/observation/observation.type.js';
import { toReport } from '../schema/report/report.mapper.js';
import type { Report } from '../schema/report/report.type.js';
import { GRADING_EXTENSION_ID, gradingExtensionDefinition, SERIES_EXTENSION_ID, seriesExtensionDefinition } from './extensions.js';
import { tlpMarkingDefinition, tlpOfMarkingId } from './markings.js';
import { toStixObservation } from './observation.js';
import { countryLocation, identityIdOf, indicatorIdOf, indicatorObject, locationIdOf, networkIdentity, organizationIdentity, type StixObject } from './reference.js';
import { stixIdOfReport, toStixReport } from './report.js';

/**
 * Reports and observations as STIX 2.1, read through the same query functions as GraphQL (findReports,
 * findObservations: THE row rule and revision rule in SQL) and cut by the same field policy
 * (readsFieldOn, sanctionsReferencesFor), with what was handed out written to the request's access record.
 */

export interface StixPage {
  /** The reports or observations of the page, in the list's order. */
  objects: StixObject[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface ReportPageQuery {
  filter?: ReportFilter | null;
  orderBy?: ReportOrder;
  first: number;
  after?: string | null;
}

function recordRestricted(access: AccessRecord, path: string, origin: string | undefined, on: Report | Observation): void {
  access.field(path, true, origin, on);
}

export async function stixReports(db: Db, viewer: Viewer, access: AccessRecord, query: ReportPageQuery): Promise<StixPage> {
  const page = await findReports(db, viewer, { filter: query.filter, orderBy: query.orderBy ?? 'PUBLISHED_DESC', first: query.first, after: query.after });
  const reports = page.edges.map((e) => toReport(e.node));
  const objects = await reportsToStix(db, viewer, access, reports);
  return { objects, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
}

/** Reports (already read under the row rule) as STIX report objects, in the same order. */
export async function reportsToStix(db: Db, viewer: Viewer, access: AccessRecord, reports: readonly Report[]): Promise<StixObject[]> {
  const sourceIds = [...new Set(reports.map((r) => r.tearlineOfId).filter((id): id is string => id !== null))];
  // Report.tearlineOf resolves through the row rule: a source the viewer may not see is not referenced.
  const visibleSources = new Map(sourceIds.length > 0 ? (await reportsByIds(db, viewer, sourceIds)).map((r) => [r.id, stixIdOfReport(toReport(r))] as const) : []);
  return reports.map((report) => {
    const origin = report.authorOrgId;
    const reads = (field: string) => readsFieldOn(viewer, 'Report', field, origin);
    const reading = {
      sourceReliability: reads('sourceReliability'),
      informationCredibility: reads('informationCredibility'),
      sanctionsReferences: reads('sanctionsReferences') ? sanctionsReferencesFor(viewer, report) : [],
      tearlineSourceRef: (report.tearlineOfId && visibleSources.get(report.tearlineOfId)) || null,
    };
    access.sawRecord('report', report.id, report.tlp, origin);
    if (reading.sourceReliability) recordRestricted(access, 'Report.sourceReliability', undefined, report);
    if (reading.informationCredibility) recordRestricted(access, 'Report.informationCredibility', undefined, report);
    if (reads('sanctionsReferences')) recordRestricted(access, 'Report.sanctionsReferences', origin, report);
    return toStixReport(report, reading);
  });
}

export async function stixObservations(
  db: Db,
  viewer: Viewer,
  access: AccessRecord,
  reference: ReferenceData,
  query: { filter: ObservationFilter; first: number; after?: string | null },
): Promise<StixPage> {
  const page = await findObservations(db, viewer, query.filter, query.first, query.after);
  const objects = await observationsToStix(db, viewer, access, page.edges.map((e) => toObservation(e.node, reference.levels)));
  return { objects, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
}

/** Values (already read under the row and revision rules) as ctewn-observation objects, in the same order. */
export async function observationsToStix(db: Db, viewer: Viewer, access: AccessRecord, observations: readonly Observation[]): Promise<StixObject[]> {
  const reportIds = [...new Set(observations.map((o) => o.sourceReportId).filter((id): id is string => id !== null))];
  // Observation.sourceReport resolves through the row rule, as here.
  const visibleReports = new Map(reportIds.length > 0 ? (await reportsByIds(db, viewer, reportIds)).map((r) => [r.id, stixIdOfReport(toReport(r))] as const) : []);
  return observations.map((o) => {
    const origin = o.sourceOrgId;
    const reads = (field: string) => readsFieldOn(viewer, 'Observation', field, origin);
    const reading = {
      sourceReliability: reads('sourceReliability'),
      informationCredibility: reads('informationCredibility'),
      note: reads('note'),
      sourceReportRef: (o.sourceReportId && visibleReports.get(o.sourceReportId)) || null,
    };
    access.sawRecord('observation', o.id, o.tlp, origin);
    if (reading.sourceReliability) recordRestricted(access, 'Observation.sourceReliability', undefined, o);
    if (reading.informationCredibility) recordRestricted(access, 'Observation.informationCredibility', undefined, o);
    if (reading.note && o.note) recordRestricted(access, 'Observation.note', origin, o);
    return toStixObservation(o, reading);
  });
}

/**
 * Every object the given objects refer to that a receiving platform needs to read them: the marking
 * definitions, extension definitions, the network's identity, and the identities, locations and
 * indicator definitions they name (all reference data, TLP:CLEAR). Objects of the given list are not
 * repeated.
 */
export function referencedObjects(objects: readonly StixObject[], reference: ReferenceData): StixObject[] {
  const present = new Set(objects.map((o) => o.id));
  const wanted = new Set<string>();
  const markings = new Set<string>(['CLEAR']);
  const extensions = new Set<string>();
  const visit = (value: unknown, key?: string) => {
    if (typeof value === 'string' && key && /_refs?$/.test(key)) wanted.add(value);
    else if (Array.isArray(value)) for (const item of value) visit(item, key);
  };
  for (const o of objects) {
    for (const [key, value] of Object.entries(o)) {
      if (key === 'object_marking_refs') for (const id of value as string[]) markings.add(tlpOfMarkingId(id) ?? 'CLEAR');
      else visit(value, key);
    }
    for (const ext of Object.keys((o.extensions as Record<string, unknown> | undefined) ?? {})) extensions.add(ext);
  }
  const out: StixObject[] = [networkIdentity()];
  if (extensions.has(SERIES_EXTENSION_ID)) out.push(seriesExtensionDefinition() as unknown as StixObject);
  if (extensions.has(GRADING_EXTENSION_ID)) out.push(gradingExtensionDefinition() as unknown as StixObject);
  const orgs = [...reference.organizationById.values()].filter((org) => wanted.has(identityIdOf(org.id)));
  const countries = reference.countries.filter((c) => wanted.has(locationIdOf(c.iso3)));
  const indicators = [...reference.indicatorByCode.values()].filter((i) => wanted.has(indicatorIdOf(i.code)));
  out.push(...orgs.map(organizationIdentity), ...indicators.map((i) => indicatorObject(i, reference.applicabilityByCode.get(i.code))));
  // An indicator definition names the countries it applies to: those locations come along.
  const applied = new Set(indicators.flatMap((i) => reference.applicabilityByCode.get(i.code)?.countries ?? []));
  out.push(...reference.countries.filter((c) => countries.includes(c) || applied.has(c.iso3)).map(countryLocation));
  out.push(...['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'].filter((m) => markings.has(m)).map((m) => tlpMarkingDefinition(m) as unknown as StixObject));
  return out.filter((o) => !present.has(o.id));
}

/** A STIX bundle: its id is random, as STIX allows (tools need not keep it), so two exports of the same objects still dedupe by the objects' ids. */
export function bundleOf(objects: readonly StixObject[], reference: ReferenceData): { type: 'bundle'; id: string; objects: StixObject[] } {
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [...referencedObjects(objects, reference), ...objects] };
}
