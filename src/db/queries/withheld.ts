import { and, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Viewer } from '../../auth/viewer.js';
import { parsePeriod } from '../../schema/common/period.js';
import type { Db } from '../database.js';
import { indicators } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { appliesTo, qualified } from '../applicability.js';
import { visibleTo } from '../visibility.js';
import { rowRuleOf, type ObservationRange, type ObservationScope } from './observations.js';
import { textArray } from './sql-fragments.js';

/**
 * "Not for you" as opposed to "not reported" — said only where the indicator's owner chose to say it
 * (indicators.disclose_withheld); for every other indicator nothing is said, so an absent period may be
 * either (the safe default: a reader must not learn that something it may not see exists).
 *
 * A value is withheld from a viewer when it was in force at `asOf` (default now) and the viewer may see
 * none of its revisions recorded by then. It is named by indicator, country and period only: not by its
 * source, marking, value or count of revisions.
 */
export interface WithheldValue {
  indicatorCode: string;
  countryIso3: string;
  periodStart: string;
}

/** At most this many withheld periods are listed per list (newest first). */
export const MAX_WITHHELD = 500;

const visibleRevision = alias(observations, 'visible_revision');

/** The value's revision in force at `asOf`. */
function inForceAt(asOf: Date | null | undefined): SQL {
  if (!asOf) return sql`${observations.supersededAt} is null`;
  const at = sql`${asOf.toISOString()}::timestamptz`;
  return sql`${observations.recordedAt} <= ${at} and (${observations.supersededAt} is null or ${observations.supersededAt} > ${at})`;
}

/** No revision of the outer value that the viewer may see was recorded by `asOf`. */
function noneVisible(viewer: Viewer, asOf: Date | null | undefined): SQL {
  const o = (column: string) => sql`${sql.identifier('observations')}.${sql.identifier(column)}`;
  return sql`not exists (select 1 from ${observations} as ${sql.identifier('visible_revision')}
    where ${visibleRevision.indicatorCode} = ${o('indicator_code')} and ${visibleRevision.countryIso3} = ${o('country_iso3')}
      and ${visibleRevision.periodStart} = ${o('period_start')} and ${visibleRevision.sourceOrgId} = ${o('source_org_id')}
      ${asOf ? sql`and ${visibleRevision.recordedAt} <= ${asOf.toISOString()}::timestamptz` : sql``}
      and ${visibleTo(viewer, rowRuleOf(visibleRevision))})`;
}

const disclosing = sql`${observations.indicatorCode} in (select ${indicators.code} from ${indicators} where ${indicators.discloseWithheld})`;
/** Only series are spoken of: pairs the indicator applies to (src/db/applicability.ts). */
const inSeries = () => appliesTo(qualified(observations.indicatorCode), qualified(observations.countryIso3));

/** The withheld values of many countries' or indicators' lists, in one statement, by scope key. */
export async function withheldByScope(
  db: Db,
  viewer: Viewer,
  scope: ObservationScope,
  query: ObservationRange & { indicator?: string | null; country?: string | null },
): Promise<Map<string, WithheldValue[]>> {
  const key = scope.by === 'country' ? observations.countryIso3 : observations.indicatorCode;
  const where = [inArray(key, [...scope.keys]), disclosing, inSeries(), inForceAt(query.asOf), noneVisible(viewer, query.asOf)];
  if (query.from) where.push(gte(observations.periodStart, parsePeriod(query.from).start));
  if (query.to) where.push(lt(observations.periodStart, parsePeriod(query.to).end));
  if (query.source) where.push(eq(observations.sourceOrgId, query.source));
  if (query.country) where.push(eq(observations.countryIso3, query.country));
  if (query.indicator) where.push(eq(observations.indicatorCode, query.indicator));
  const rows = await db
    .selectDistinct({ indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, periodStart: observations.periodStart })
    .from(observations)
    .where(and(...where))
    .orderBy(sql`${observations.periodStart} desc`, observations.indicatorCode, observations.countryIso3);
  const byKey = new Map<string, WithheldValue[]>(scope.keys.map((k) => [k, []]));
  for (const row of rows) {
    const list = byKey.get(scope.by === 'country' ? row.countryIso3 : row.indicatorCode);
    if (list && list.length < MAX_WITHHELD) list.push(row);
  }
  return byKey;
}

/**
 * For the latest values a viewer sees (indicator, country, period), whether a later value exists that it
 * may not see — a later period of the series, in force at `asOf` — for indicators that disclose it. (A later
 * revision of the very value shows on the row itself: it is superseded.) One statement for all pairs.
 */
export async function laterWithheld(
  db: Db,
  viewer: Viewer,
  latest: readonly WithheldValue[],
  options: { asOf?: Date | null; source?: string | null },
): Promise<Set<string>> {
  if (latest.length === 0) return new Set();
  const seen = sql`unnest(${textArray(latest.map((l) => l.indicatorCode))}, ${textArray(latest.map((l) => l.countryIso3))}::char(3)[], ${textArray(latest.map((l) => l.periodStart))}::date[]) as seen(indicator, country, period)`;
  const rows = await db
    .selectDistinct({ indicatorCode: sql<string>`seen.indicator`, countryIso3: sql<string>`seen.country` })
    .from(seen)
    .innerJoin(
      observations,
      and(
        sql`${observations.indicatorCode} = seen.indicator`,
        sql`${observations.countryIso3} = seen.country`,
        sql`${observations.periodStart} > seen.period`,
        disclosing,
        inSeries(),
        inForceAt(options.asOf),
        options.source ? eq(observations.sourceOrgId, options.source) : undefined,
        noneVisible(viewer, options.asOf),
      ),
    );
  return new Set(rows.map((r) => `${r.indicatorCode}|${r.countryIso3}`));
}
