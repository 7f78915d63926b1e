import type { ReportRow } from '../../db/schema/reports.js';
import { Lang, type ReportKind, type SourceReliability, type Tlp, type Topic } from '../common/enums.js';
import type { ReportRevisionRow } from '../../db/queries/report-revisions.js';
import type { ReportLinks } from '../../db/queries/reports.js';
import { ReportRevision } from './report-revision.type.js';
import { Report } from './report.type.js';
import { originOf } from '../common/record-origin.type.js';

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
    origin: originOf(row.originInstanceId, row.authorOrgId),
    titles: { en: row.titleEn, ru: row.titleRu },
    authorOrgId: row.authorOrgId,
    authorSub: row.authorSub,
    tearlineOfId: row.tearlineOf,
    stixId: row.stixId,
    stixModified: row.stixModified,
    ...(row.countryCodes ? { countryCodes: row.countryCodes } : {}),
    ...(row.indicatorCodes ? { indicatorCodes: row.indicatorCodes } : {}),
  });
}

/** A report's title in the language asked for, else in the one it has. */
export function titleIn(titles: { en: string | null; ru: string | null }, lang: Lang): string {
  return (lang === Lang.RU ? (titles.ru ?? titles.en) : (titles.en ?? titles.ru)) ?? '';
}

/** The current revision of a report, as its history lists it. */
export function currentRevision(report: Report, changedBySub: string): ReportRevision {
  return Object.assign(new ReportRevision(), {
    revision: report.revision,
    updatedAt: report.updatedAt,
    tlp: report.tlp,
    summary: report.summary,
    body: report.body,
    language: report.language,
    changedBy: changedBySub,
    titles: report.titles,
    authorOrgId: report.authorOrgId,
  });
}

export function toReportRevision(row: ReportRevisionRow, authorOrgId: string): ReportRevision {
  return Object.assign(new ReportRevision(), {
    revision: row.revision,
    updatedAt: row.updatedAt,
    tlp: row.tlp as Tlp,
    summary: row.summary,
    body: row.body,
    language: row.language === 'ru' ? Lang.RU : Lang.EN,
    changedBy: row.changedBySub,
    titles: { en: row.titleEn, ru: row.titleRu },
    authorOrgId,
  });
}
