import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer } from '../../auth/viewer.js';
import { notFound } from '../../errors.js';
import type { Db } from '../database.js';
import { notifyReferenceChanged } from '../reference.js';
import { auditEvents } from '../schema/audit.js';
import { indicators, type IndicatorRow } from '../schema/indicators.js';
import { reportIndicators } from '../schema/reports.js';

export interface IndicatorQuery {
  filter?: { theme?: string | null; periodicity?: string | null } | null;
}

export function findIndicators(db: Db, query: IndicatorQuery): Promise<IndicatorRow[]> {
  const where: SQL[] = [];
  if (query.filter?.theme) where.push(eq(indicators.theme, query.filter.theme));
  if (query.filter?.periodicity) where.push(eq(indicators.periodicity, query.filter.periodicity as IndicatorRow['periodicity']));
  return db.select().from(indicators).where(and(...where)).orderBy(asc(indicators.code));
}


/** The codes of the indicators linked to each of many reports, in one statement, by code. */
export function indicatorLinksOfReports(db: Db, reportIds: readonly string[]) {
  return db
    .select({ reportId: reportIndicators.reportId, indicatorCode: reportIndicators.indicatorCode })
    .from(reportIndicators)
    .where(inArray(reportIndicators.reportId, [...reportIds]))
    .orderBy(asc(reportIndicators.indicatorCode));
}

/**
 * The owner's choice to disclose withheld values of an indicator (see withheld.ts), with its reason, in one
 * transaction with the audit entry; every process drops its reference snapshot when it commits.
 */
export async function setIndicatorDisclosure(db: Db, viewer: MemberViewer, code: string, disclose: boolean, reason: string): Promise<IndicatorRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx.update(indicators).set({ discloseWithheld: disclose }).where(eq(indicators.code, code)).returning();
    if (!row) throw notFound('Indicator');
    await tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action: 'setIndicatorDisclosure', reason: `${code}: ${disclose ? 'disclose' : 'do not disclose'} withheld values. ${reason}` });
    await notifyReferenceChanged(tx as unknown as Db);
    return row;
  });
}
