import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Viewer } from '../../auth/viewer.js';
import { badInput } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import { parsePeriod } from '../../schema/common/period.js';
import type { Db } from '../database.js';
import { grants } from '../schema/grants.js';
import { observations, type ObservationRow } from '../schema/observations.js';
import { visibleTo } from '../visibility.js';
import { scopedPages } from './page.js';

export const observationRowRule = {
  id: observations.id,
  tlp: observations.tlp,
  originOrgId: observations.sourceOrgId,
  originSub: observations.recordedBySub,
  grantSubject: grants.observationId,
};

export interface ObservationRange {
  from?: string | null;
  to?: string | null;
  asOf?: Date | null;
}

/**
 * The revision in force at `asOf` (default now), and only if the viewer may see that revision: a hidden
 * correction must not be replaced by the older value it corrected.
 */
function inForce(asOf: Date | null | undefined): SQL {
  if (!asOf) return sql`${observations.supersededAt} is null`;
  return sql`${observations.recordedAt} <= ${asOf.toISOString()}::timestamptz and (${observations.supersededAt} is null or ${observations.supersededAt} > ${asOf.toISOString()}::timestamptz)`;
}

function rangeConditions(range: ObservationRange): SQL[] {
  const where: SQL[] = [];
  if (range.from) where.push(gte(observations.periodStart, parsePeriod(range.from).start));
  if (range.to) where.push(lt(observations.periodStart, parsePeriod(range.to).end));
  return where;
}

export interface ObservationScope {
  by: 'country' | 'indicator';
  keys: readonly string[];
}

export interface ObservationPageQuery extends ObservationRange {
  /** The other dimension, e.g. one indicator within a country's observations. */
  country?: string | null;
  indicator?: string | null;
  first: number;
  after?: string | null;
}

const CURSOR = 'obs';

function afterCursor(after: string): SQL {
  const [periodStart, indicator, country] = decodeCursor(CURSOR, after, ['string', 'string', 'string']);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(periodStart as string)) {
    throw badInput('The `after` cursor is not valid for this list; use a pageInfo.endCursor from it', 'after');
  }
  return sql`(${observations.periodStart}, ${observations.indicatorCode}, ${observations.countryIso3}) < (${periodStart}::date, ${indicator}, ${country})`;
}

function scopeColumn(scope: ObservationScope) {
  return scope.by === 'country' ? observations.countryIso3 : observations.indicatorCode;
}

function conditions(viewer: Viewer, scope: ObservationScope, query: ObservationPageQuery): SQL[] {
  const where = [
    inArray(scopeColumn(scope), [...scope.keys]),
    inForce(query.asOf),
    visibleTo(viewer, observationRowRule),
    ...rangeConditions(query),
  ];
  if (query.country) where.push(eq(observations.countryIso3, query.country));
  if (query.indicator) where.push(eq(observations.indicatorCode, query.indicator));
  return where;
}

const ORDER = [desc(observations.periodStart), desc(observations.indicatorCode), desc(observations.countryIso3)];

/**
 * Pages of observations (newest period first) for many countries or indicators in one statement.
 */
export async function findObservationPagesByScope(
  db: Db,
  viewer: Viewer,
  scope: ObservationScope,
  query: ObservationPageQuery,
): Promise<Map<string, Page<ObservationRow>>> {
  const key = scopeColumn(scope);
  const where = conditions(viewer, scope, query);
  if (query.after) where.push(afterCursor(query.after));
  const ranked = db
    .select({
      ...getTableColumns(observations),
      rank: sql<number>`row_number() over (partition by ${key} order by ${sql.join(ORDER, sql`, `)})`.as('rank'),
    })
    .from(observations)
    .where(and(...where))
    .as('ranked');
  const rows = (await db
    .select()
    .from(ranked)
    .where(sql`${ranked.rank} <= ${query.first + 1}`)
    .orderBy(asc(ranked.rank))) as unknown as ObservationRow[];
  return scopedPages(
    scope.keys,
    rows,
    (r) => (scope.by === 'country' ? r.countryIso3 : r.indicatorCode),
    { first: query.first, hadCursor: Boolean(query.after), cursor: { tag: CURSOR, key: (r) => [r.periodStart, r.indicatorCode, r.countryIso3] } },
    async () => {
      const counts = await db
        .select({ scopeKey: key, n: sql<number>`count(*)::int` })
        .from(observations)
        .where(and(...conditions(viewer, scope, query)))
        .groupBy(key);
      return Object.fromEntries(counts.map((c) => [String(c.scopeKey), c.n]));
    },
  );
}

/**
 * The latest visible value of every series (indicator × country) for many countries or indicators,
 * in one statement: DISTINCT ON keeps the newest period of each series.
 */
export function latestObservations(
  db: Db,
  viewer: Viewer,
  scope: ObservationScope,
  options: { asOf?: Date | null; countries?: readonly string[] | null },
): Promise<ObservationRow[]> {
  const where = [inArray(scopeColumn(scope), [...scope.keys]), inForce(options.asOf), visibleTo(viewer, observationRowRule)];
  if (options.countries?.length) where.push(inArray(observations.countryIso3, [...options.countries]));
  return db
    .selectDistinctOn([observations.countryIso3, observations.indicatorCode])
    .from(observations)
    .where(and(...where))
    .orderBy(asc(observations.countryIso3), asc(observations.indicatorCode), desc(observations.periodStart));
}

/** Observations (any revision) by id that the viewer may see. */
export function observationsByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<ObservationRow[]> {
  return db.select().from(observations).where(and(inArray(observations.id, [...ids]), visibleTo(viewer, observationRowRule)));
}
