import { ReportKind } from '../schema/common/enums.js';
import { titleIn } from '../schema/report/report.mapper.js';
import type { Report } from '../schema/report/report.type.js';
import { GRADING_EXTENSION_ID } from './extensions.js';
import { confidenceOf } from './grading.js';
import { stixId, stixTime } from './ids.js';
import { tlpMarkingId } from './markings.js';
import { identityIdOf, indicatorIdOf, locationIdOf, type StixObject } from './reference.js';

export const reportIdOf = (id: string) => stixId('report', 'report', id);

/**
 * A report's STIX id: the one it was imported with, so a round trip through another platform keeps it
 * (src/stix/import.ts), else the UUIDv5 of our id.
 */
export const stixIdOfReport = (report: Pick<Report, 'id' | 'stixId'>) => report.stixId ?? reportIdOf(report.id);

/**
 * What this viewer may read of one report, decided by the policy (src/auth/policy.ts) before mapping: the
 * mapper only leaves out what it is told to, so a field the viewer may not read is never in the object.
 */
export interface ReportReading {
  sourceReliability: boolean;
  informationCredibility: boolean;
  /** The sanctions-list entries the viewer may read (value-level rule applied); empty when refused. */
  sanctionsReferences: readonly string[];
  /** The STIX id of the report this one is a tearline of, if the row rule lets the viewer see it. */
  tearlineSourceRef: string | null;
}

/** Kinds that are threat analyses take report-type-ov's `threat-report`; every report also keeps its own kind. */
const THREAT_REPORTS = new Set<string>([ReportKind.RESEARCH, ReportKind.SITUATION_ASSESSMENT, ReportKind.INCIDENT, ReportKind.BRIEFING]);

const kebab = (value: string) => value.toLowerCase().replace(/_/g, '-');

/** Which list an entry belongs to (the consolidated list numbers entries by regime). */
function sanctionsListOf(entry: string): string {
  if (entry.startsWith('QD')) return 'ISIL (Da\'esh) and Al-Qaida Sanctions List (1267 Committee)';
  if (entry.startsWith('TA')) return 'Taliban sanctions (1988 Committee)';
  return 'United Nations Security Council Consolidated List';
}

/**
 * `modified` follows the revision (updatedAt moves with every revision and with a retraction), so a
 * receiving platform replaces its copy; never earlier than `created` (the publication), which STIX forbids.
 * A revision imported from STIX keeps its producer's `modified` (stixModified, cleared by any later write
 * here), so exporting it again gives the same version and the producer's platform sees no change.
 */
export function reportVersion(report: Pick<Report, 'publishedAt' | 'updatedAt'> & Partial<Pick<Report, 'stixModified'>>): string {
  const at = report.stixModified ?? report.updatedAt;
  return stixTime(at > report.publishedAt ? at : report.publishedAt);
}

export function toStixReport(report: Report, reading: ReportReading): StixObject {
  const grading: Record<string, unknown> = {};
  if (reading.sourceReliability) grading.x_ctewn_source_reliability = report.sourceReliability;
  if (reading.informationCredibility && report.informationCredibility !== null) {
    grading.x_ctewn_information_credibility = report.informationCredibility;
    const confidence = confidenceOf(report.informationCredibility);
    if (confidence !== undefined) grading.confidence = confidence;
  }
  const hasGrading = 'x_ctewn_source_reliability' in grading || 'x_ctewn_information_credibility' in grading;
  const objectRefs = [
    identityIdOf(report.authorOrgId),
    ...(report.countryCodes ?? []).map(locationIdOf),
    ...(report.indicatorCodes ?? []).map(indicatorIdOf),
    ...(reading.tearlineSourceRef ? [reading.tearlineSourceRef] : []),
  ];
  return {
    type: 'report',
    spec_version: '2.1',
    id: stixIdOfReport(report),
    created_by_ref: identityIdOf(report.authorOrgId),
    created: stixTime(report.publishedAt),
    modified: reportVersion(report),
    name: titleIn(report.titles, report.language),
    description: `${report.summary}\n\n${report.body}`,
    published: stixTime(report.publishedAt),
    report_types: THREAT_REPORTS.has(report.kind) ? ['threat-report', kebab(report.kind)] : [kebab(report.kind)],
    ...(report.topics.length > 0 ? { labels: report.topics.map(kebab) } : {}),
    object_refs: objectRefs,
    lang: report.language.toLowerCase(),
    ...(report.retractedAt ? { revoked: true } : {}),
    ...grading,
    external_references: [
      { source_name: 'ct-ewn', external_id: report.id, description: `revision ${report.revision}` },
      ...reading.sanctionsReferences.map((entry) => ({ source_name: 'un-sc-consolidated-list', external_id: entry, description: sanctionsListOf(entry) })),
    ],
    object_marking_refs: [tlpMarkingId(report.tlp)],
    ...(hasGrading ? { extensions: { [GRADING_EXTENSION_ID]: { extension_type: 'toplevel-property-extension' } } } : {}),
  };
}
