import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
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
