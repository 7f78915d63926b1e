import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Viewer } from '../../auth/viewer.js';
import type { Db } from '../database.js';
import { indicators, type IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { observationConditions, observationOrder } from './observations.js';

/**
 * Indicators with a page of each one's values for one country, for the SQL path (src/http/sql-path/),
 * in ONE statement: every indicator (by code, as findIndicators lists them) joined LATERAL to its page of
 * observations under the row rule and the revision rule (findObservationPagesByScope's conditions and
 * order, each page read off the series index). The values come as columns, not as nodes: `period` and
 * `level` are the mapper's (they depend on the indicator), computed by the caller with the same functions.
 */
export interface ValueJson {
  id: string;
  tlp: string;
  sourceOrgId: string;
  value: number;
  periodStart: string;
}

export interface IndicatorValuesRow {
  indicator: IndicatorRow;
  /** The page of values, newest period first (the page's order). */
  values: ValueJson[];
}

export async function findIndicatorsWithObservations(db: Db, viewer: Viewer, query: { country: string; first: number }): Promise<IndicatorValuesRow[]> {
  const page = db
    .select({ id: observations.id, tlp: observations.tlp, sourceOrgId: observations.sourceOrgId, value: observations.value, periodStart: observations.periodStart })
    .from(observations)
    .where(and(eq(observations.indicatorCode, sql`${indicators.code}`), eq(observations.countryIso3, query.country), ...observationConditions(viewer, {})))
    .orderBy(...observationOrder)
    .limit(query.first)
    .as('value_page');
  // One row per indicator, its page as one JSON array ordered as the page (indicator and country are
  // fixed within it, so period then source is observationOrder): a row per value repeated the
  // indicator's columns, and drizzle decoded each of them 360 times on W2.
  const p = sql.identifier('value_page');
  const values = sql<[string, string, string, number, string][]>`(select coalesce(json_agg(json_build_array(${p}.id, ${p}.tlp, ${p}.source_org_id, ${p}.value, ${p}.period_start)
    order by ${p}.period_start desc, ${p}.source_org_id desc), '[]') from ${page})`;
  const rows = await db.select({ indicator: getTableColumns(indicators), values }).from(indicators).orderBy(asc(indicators.code));
  return rows.map((r) => ({
    indicator: r.indicator,
    values: r.values.map(([id, tlp, sourceOrgId, value, periodStart]) => ({ id, tlp, sourceOrgId, value, periodStart })),
  }));
}
