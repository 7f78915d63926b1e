import { and, asc, inArray, sql } from 'drizzle-orm';
import type { Viewer } from '../../auth/viewer.js';
import type { Db } from '../database.js';
import { reports, reportVersions } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { reportRowRule } from './reports.js';

/** An earlier revision of a report, as kept in report_versions, with who wrote it. */
export interface ReportRevisionRow {
  reportId: string;
  revision: number;
  tlp: string;
  updatedAt: Date;
  titleEn: string | null;
  titleRu: string | null;
  summary: string;
  body: string;
  language: string;
  /** The person who wrote this revision: the report's author for the first, else who replaced the one before. */
  changedBySub: string;
}

/** The revisions of one report that a viewer may read, and who wrote the current one. */
export interface ReportHistory {
  earlier: ReportRevisionRow[];
  currentChangedBySub: string;
}

/**
 * The history of many reports in one statement. A report's earlier revision is readable only by a viewer
 * who may see the report now AND would have seen it under the marking that revision had (the row rule
 * applied to the snapshot's marking, with the report's own author and grants): a report lowered from
 * AMBER+STRICT to GREEN shows its GREEN readers nothing of its AMBER+STRICT past. The content of a
 * revision the viewer may not read is not selected at all. Who wrote each revision is read over all of
 * them (window), since the person who replaced a hidden revision wrote a visible one.
 */
export async function reportHistories(db: Db, viewer: Viewer, reportIds: readonly string[]): Promise<Map<string, ReportHistory>> {
  const snapshot = (key: string) => sql`${reportVersions.snapshot}->>${sql.raw(`'${key}'`)}`;
  const readable = visibleTo(viewer, { ...reportRowRule, tlp: snapshot('tlp') });
  const rows = await db
    .select({
      reportId: reportVersions.reportId,
      revision: reportVersions.revision,
      replacedBySub: reportVersions.replacedBySub,
      authorSub: reports.authorSub,
      readable: sql<boolean>`${readable}`,
      // Only a readable revision's content leaves the database.
      content: sql<Record<string, string | null> | null>`case when ${readable} then ${reportVersions.snapshot} end`,
    })
    .from(reportVersions)
    .innerJoin(reports, sql`${reports.id} = ${reportVersions.reportId}`)
    .where(and(inArray(reportVersions.reportId, [...reportIds]), visibleTo(viewer, reportRowRule)))
    .orderBy(asc(reportVersions.reportId), asc(reportVersions.revision));
  const histories = new Map<string, ReportHistory>();
  let previous: (typeof rows)[number] | undefined;
  for (const row of rows) {
    const writer = previous?.reportId === row.reportId ? previous.replacedBySub : row.authorSub;
    const history = histories.get(row.reportId) ?? { earlier: [], currentChangedBySub: row.authorSub };
    if (row.readable && row.content) {
      const c = row.content;
      history.earlier.push({
        reportId: row.reportId,
        revision: row.revision,
        tlp: String(c.tlp),
        updatedAt: new Date(String(c.updatedAt)),
        titleEn: c.titleEn ?? null,
        titleRu: c.titleRu ?? null,
        summary: String(c.summary ?? ''),
        body: String(c.body ?? ''),
        language: String(c.language ?? 'en'),
        changedBySub: writer,
      });
    }
    history.currentChangedBySub = row.replacedBySub;
    histories.set(row.reportId, history);
    previous = row;
  }
  return histories;
}
