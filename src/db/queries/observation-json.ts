import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Viewer } from '../../auth/viewer.js';
import type { Db } from '../database.js';
import { indicators, type IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { observationConditions, observationOrder } from './observations.js';
import { fieldsOf } from './page.js';

/**
 * Indicators with a page of each one's values for one country, for the SQL path (src/http/sql-json-plan.ts),
 * in ONE statement: every indicator (by code, as findIndicators lists them) joined LATERAL to its page of
 * observations under the row rule and the revision rule (findObservationPagesByScope's conditions and
 * order, each page read off the series index). The values come as columns, not as nodes: `period` and
 * `level` are the mapper's (they depend on the indicator), computed by the caller with the same functions.
 */
export interface IndicatorValueRow {
  indicator: IndicatorRow;
  value: { id: string; tlp: string; sourceOrgId: string; value: number; periodStart: string } | null;
}

export async function findIndicatorsWithObservations(
  db: Db,
  viewer: Viewer,
  query: { country: string; first: number },
): Promise<IndicatorValueRow[]> {
  const list = db.select().from(indicators).orderBy(asc(indicators.code)).as('indicator_list');
  const page = db
    .select({ id: observations.id, tlp: observations.tlp, sourceOrgId: observations.sourceOrgId, value: observations.value, periodStart: observations.periodStart })
    .from(observations)
    .where(and(sql`${observations.indicatorCode} = ${list.code}`, eq(observations.countryIso3, query.country), ...observationConditions(viewer, {})))
    .orderBy(...observationOrder)
    .limit(query.first)
    .as('value_page');
  const rows = await db
    .select({ indicator: fieldsOf(list, getTableColumns(indicators)), id: page.id, tlp: page.tlp, sourceOrgId: page.sourceOrgId, value: page.value, periodStart: page.periodStart })
    .from(list)
    .leftJoinLateral(page, sql`true`);
  return rows.map((r) => ({
    indicator: r.indicator as IndicatorRow,
    value: r.id ? { id: r.id, tlp: r.tlp!, sourceOrgId: r.sourceOrgId!, value: r.value!, periodStart: r.periodStart! } : null,
  }));
}
