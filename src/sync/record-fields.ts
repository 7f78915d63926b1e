import { isPublic, readsFieldOn, sanctionsReferencesFor } from '../auth/policy.js';
import type { OrganizationReader } from '../auth/viewer.js';
import type { ReportRead } from '../db/queries/reports.js';
import type { ObservationRow } from '../db/schema/observations.js';

/**
 * The fields of a record that go to a peer, each named as the policy names it (`Report.field`,
 * `Observation.field`): the policy decides each one for the peer's organization (readsFieldOn), so a field
 * it restricts goes only where GraphQL would hand it out, and a field it does not name never goes.
 */
export interface RecordFields {
  fields: Record<string, unknown>;
  /** The restricted fields (not PUBLIC) that went, as `Type.field`: for the access log. */
  restricted: string[];
}

const REPORT_FIELDS: Record<string, (r: ReportRead) => unknown> = {
  id: (r) => r.id,
  title: (r) => ({ en: r.titleEn, ru: r.titleRu }),
  summary: (r) => r.summary,
  body: (r) => r.body,
  language: (r) => r.language,
  kind: (r) => r.kind,
  topics: (r) => r.topics,
  countries: (r) => r.countryCodes,
  indicators: (r) => r.indicatorCodes,
  author: (r) => r.authorOrgId,
  publishedAt: (r) => r.publishedAt,
  tlp: (r) => r.tlp,
  revision: (r) => r.revision,
  updatedAt: (r) => r.updatedAt,
  sourceReliability: (r) => r.sourceReliability,
  informationCredibility: (r) => r.informationCredibility,
  sourceDescription: (r) => r.sourceDescription,
  // The value-level part of the rule: each sanctions committee its own list only.
  sanctionsReferences: (r) => r.sanctionsReferences,
  retractedAt: (r) => r.retractedAt,
  retractionReason: (r) => r.retractionReason,
};

const OBSERVATION_FIELDS: Record<string, (o: ObservationRow) => unknown> = {
  id: (o) => o.id,
  indicator: (o) => o.indicatorCode,
  country: (o) => o.countryIso3,
  source: (o) => o.sourceOrgId,
  periodStart: (o) => o.periodStart,
  value: (o) => o.value,
  tlp: (o) => o.tlp,
  revision: (o) => o.revision,
  recordedAt: (o) => o.recordedAt,
  status: (o) => o.status,
  sourceReliability: (o) => o.sourceReliability,
  informationCredibility: (o) => o.informationCredibility,
  note: (o) => o.note,
  recordedBy: (o) => o.recordedBySub,
};

function cut<R>(reader: OrganizationReader, typeName: string, origin: string, record: R, table: Record<string, (r: R) => unknown>, value: (field: string, r: R) => unknown): RecordFields {
  const fields: Record<string, unknown> = {};
  const restricted: string[] = [];
  for (const field of Object.keys(table)) {
    if (!readsFieldOn(reader, typeName, field, origin)) continue;
    fields[field] = value(field, record);
    if (!isPublic(typeName, field)) restricted.push(`${typeName}.${field}`);
  }
  return { fields, restricted };
}

/**
 * A report's fields for the peer's organization. `visibleReportIds`: the reports it may see, so the link
 * to a tearline's source goes only if the source is one of them (Report.tearlineOf resolves through the row rule).
 */
export function reportFields(reader: OrganizationReader, report: ReportRead, visibleReportIds: ReadonlySet<string>): RecordFields {
  const cutFields = cut(reader, 'Report', report.authorOrgId, report, REPORT_FIELDS, (field, r) =>
    field === 'sanctionsReferences' ? sanctionsReferencesFor(reader, r) : REPORT_FIELDS[field]!(r),
  );
  if (readsFieldOn(reader, 'Report', 'tearlineOf', report.authorOrgId)) {
    cutFields.fields.tearlineOf = report.tearlineOf && visibleReportIds.has(report.tearlineOf) ? report.tearlineOf : null;
  }
  return cutFields;
}

/** An observation's fields for the peer's organization; its source report only if the organization may see it. */
export function observationFields(reader: OrganizationReader, observation: ObservationRow, visibleReportIds: ReadonlySet<string>): RecordFields {
  const cutFields = cut(reader, 'Observation', observation.sourceOrgId, observation, OBSERVATION_FIELDS, (field, o) => OBSERVATION_FIELDS[field]!(o));
  if (readsFieldOn(reader, 'Observation', 'sourceReport', observation.sourceOrgId)) {
    cutFields.fields.sourceReport = observation.sourceReportId && visibleReportIds.has(observation.sourceReportId) ? observation.sourceReportId : null;
  }
  return cutFields;
}
