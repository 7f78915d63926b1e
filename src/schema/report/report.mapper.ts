import type { ReportRow } from '../../db/schema/reports.js';
import { Lang, type ReportKind, type SourceReliability, type Tlp, type Topic } from '../common/enums.js';
import type { ReportLinks } from '../../db/queries/reports.js';
import { Report } from './report.type.js';

/** The columns a report mapper needs: everything but the search vector. */
export type ReportRecord = Omit<ReportRow, 'searchVector'>;

export function toReport(row: ReportRecord & Partial<ReportLinks>): Report {
  return Object.assign(new Report(), {
    id: row.id,
    summary: row.summary,
    body: row.body,
    language: row.language === 'ru' ? Lang.RU : Lang.EN,
    kind: row.kind as ReportKind,
    topics: row.topics as Topic[],
    publishedAt: row.publishedAt,
    tlp: row.tlp as Tlp,
    sourceReliability: row.sourceReliability as SourceReliability,
    informationCredibility: row.informationCredibility,
    sourceDescription: row.sourceDescription,
    sanctionsReferences: row.sanctionsReferences,
    revision: row.revision,
    updatedAt: row.updatedAt,
    retractedAt: row.retractedAt,
    retractionReason: row.retractionReason,
    titles: { en: row.titleEn, ru: row.titleRu },
    authorOrgId: row.authorOrgId,
    tearlineOfId: row.tearlineOf,
    ...(row.countryCodes ? { countryCodes: row.countryCodes } : {}),
    ...(row.indicatorCodes ? { indicatorCodes: row.indicatorCodes } : {}),
  });
}
