import { and, eq, getTableColumns, getTableName, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Reader, Viewer } from '../../auth/viewer.js';
import { badInput } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import { parsePeriod } from '../../schema/common/period.js';
import type { Db } from '../database.js';
import { grants } from '../schema/grants.js';
import { observations, type ObservationRow } from '../schema/observations.js';
import { visibleTo } from '../visibility.js';
import { gradingConditions, type GradingFilter } from './grading.js';
import { asJsonRow, readJsonRow } from './json-rows.js';
import { fieldsOf, scopedPages, scopeKey, scopeKeys, toPage } from './page.js';
import { descending, textArray } from './sql-fragments.js';
import { countries } from '../schema/countries.js';
import { indicators } from '../schema/indicators.js';
import { appliesTo } from '../applicability.js';
import { feedWalk, latestConcerning, publishedAtText } from './change-feed.js';
import type { PublishedQuery } from './reports.js';

const readObservation = readJsonRow<ObservationRow>(getTableColumns(observations));

export const observationRowRule = {
  id: observations.id,
  tlp: observations.tlp,
  originOrgId: observations.sourceOrgId,
  originSub: observations.recordedBySub,
  grantSubject: grants.observationId,
};

export interface ObservationRange extends GradingFilter {
  from?: string | null;
  to?: string | null;
  asOf?: Date | null;
  /** Only the values of this source organization. */
  source?: string | null;
}

/** The columns of an alias of the observations table that the revision rule reads. */
type RevisionColumns = Record<'id' | 'tlp' | 'sourceOrgId' | 'recordedBySub' | 'indicatorCode' | 'countryIso3' | 'periodStart', AnyPgColumn>;

/** The row rule's columns for an alias of the observations table. */
export function rowRuleOf(table: RevisionColumns) {
  return { id: table.id, tlp: table.tlp, originOrgId: table.sourceOrgId, originSub: table.recordedBySub, grantSubject: grants.observationId };
}

const laterRevision = alias(observations, 'later_revision');
const earlierRevision = alias(observations, 'earlier_revision');

/**
 * A column of the outer observations row, always table-qualified: drizzle leaves columns unqualified in
 * the select list of a one-table query, where inside a subquery they would name the alias's columns.
 */
const outer = (column: AnyPgColumn) => sql`${sql.identifier(getTableName(observations))}.${sql.identifier(column.name)}`;
const revisionsOf = (name: string) => sql`${observations} as ${sql.identifier(name)}`;

/**
 * The revisions of one value: a value is one source's figure for an indicator, country and period (a series
 * is indicator × country × source), so one organization's correction never revises another's figure.
 */
const sameValueAs = (other: RevisionColumns) =>
  sql`${other.indicatorCode} = ${outer(observations.indicatorCode)} and ${other.countryIso3} = ${outer(observations.countryIso3)} and ${other.periodStart} = ${outer(observations.periodStart)} and ${other.sourceOrgId} = ${outer(observations.sourceOrgId)}`;

/**
 * The revision a viewer reads at `asOf` (default now): the latest revision of the value that the viewer
 * may see and that was recorded by then. A later revision the viewer may not see changes nothing for it:
 * it neither hides the value the viewer may see nor stands in for it (one organization's restricted
 * correction must not blank another's series, nor tell its readers that something hidden is there).
 * A revision nobody superseded is the latest for everyone: only superseded rows pay for the lookup.
 */
function latestVisibleRevision(viewer: Viewer, asOf: Date | null | undefined): SQL {
  const later = sql`not exists (select 1 from ${revisionsOf('later_revision')} where ${sameValueAs(laterRevision)} and ${laterRevision.revision} > ${outer(observations.revision)}${
    asOf ? sql` and ${laterRevision.recordedAt} <= ${asOf.toISOString()}::timestamptz` : sql``
  } and ${visibleTo(viewer, rowRuleOf(laterRevision))})`;
  if (!asOf) return sql`(${observations.supersededAt} is null or ${later})`;
  const at = sql`${asOf.toISOString()}::timestamptz`;
  return sql`${observations.recordedAt} <= ${at} and (${observations.supersededAt} is null or ${observations.supersededAt} > ${at} or ${later})`;
}

/**
 * The revision number as the viewer counts: 1..n over the revisions of the value it may see, so a hidden
 * revision shows neither as a gap nor as a count.
 */
export function visibleRevisionNumber(viewer: Reader): SQL<number> {
  const revision = outer(observations.revision);
  return sql<number>`(case when ${revision} = 1 then 1 else (select count(*)::int from ${revisionsOf('earlier_revision')} where ${sameValueAs(earlierRevision)} and ${earlierRevision.revision} <= ${revision} and ${visibleTo(viewer, rowRuleOf(earlierRevision))}) end)`.mapWith(Number);
}

/** Every column of an observation, its revision numbered as the viewer counts. */
function columnsFor(viewer: Reader) {
  return { ...getTableColumns(observations), revision: visibleRevisionNumber(viewer) };
}

function rangeConditions(range: ObservationRange): SQL[] {
  const where: SQL[] = [];
  if (range.from) where.push(gte(observations.periodStart, parsePeriod(range.from).start));
  if (range.to) where.push(lt(observations.periodStart, parsePeriod(range.to).end));
  if (range.source) where.push(eq(observations.sourceOrgId, range.source));
  // After the revision rule: a value whose latest revision is graded lower is left out, not an older one shown.
  where.push(...gradingConditions(observations, range));
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
  const [periodStart, indicator, country, source] = decodeCursor(CURSOR, after, ['date', 'string', 'string', 'string']);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(periodStart as string)) {
    throw badInput('The `after` cursor is not valid for this list; use a pageInfo.endCursor from it', 'after');
  }
  return sql`(${observations.periodStart}, ${observations.indicatorCode}, ${observations.countryIso3}, ${observations.sourceOrgId}) < (${periodStart}::date, ${indicator}, ${country}, ${source})`;
}

function scopeColumn(scope: ObservationScope) {
  return scope.by === 'country' ? observations.countryIso3 : observations.indicatorCode;
}

/** Values of applicable series only: a value recorded for a pair its indicator does not apply to is kept, but lists leave it out. */
const inApplicableSeries = () => appliesTo(outer(observations.indicatorCode), outer(observations.countryIso3));

/** The revision rule, THE row rule, the range and the applicability rule: what every page of a nested list shares. */
export function observationConditions(viewer: Viewer, query: Omit<ObservationPageQuery, 'first'>): SQL[] {
  const where = [visibleTo(viewer, observationRowRule), latestVisibleRevision(viewer, query.asOf), ...rangeConditions(query), inApplicableSeries()];
  if (query.country) where.push(eq(observations.countryIso3, query.country));
  if (query.indicator) where.push(eq(observations.indicatorCode, query.indicator));
  return where;
}

// Several sources may report the same period: the source completes the order, so a page boundary between them skips nothing.
export const observationOrder = [descending(observations.periodStart), descending(observations.indicatorCode), descending(observations.countryIso3), descending(observations.sourceOrgId)];

/**
 * Pages of observations (newest period first) for many countries or indicators in one statement: each
 * key's page is an ORDER BY … LIMIT joined LATERAL to the keys, so it reads first+1 rows off the index.
 */
export async function findObservationPagesByScope(
  db: Db,
  viewer: Viewer,
  scope: ObservationScope,
  query: ObservationPageQuery,
): Promise<Map<string, Page<ObservationRow>>> {
  const key = scopeColumn(scope);
  const where = [sql`${key} = ${scopeKey}`, ...observationConditions(viewer, query)];
  if (query.after) where.push(afterCursor(query.after));
  const columns = { ...getTableColumns(observations), revision: visibleRevisionNumber(viewer).as('revision') };
  const page = db
    .select(columns)
    .from(observations)
    .where(and(...where))
    .orderBy(...observationOrder)
    .limit(query.first + 1)
    .as('page');
  const rows = (await db.select({ row: asJsonRow(fieldsOf(page, columns)) }).from(scopeKeys(scope.keys)).crossJoinLateral(page)).map((r) =>
    readObservation(r.row),
  );
  return scopedPages(
    scope.keys,
    rows,
    (r) => (scope.by === 'country' ? r.countryIso3 : r.indicatorCode),
    { first: query.first, hadCursor: Boolean(query.after), cursor: { tag: CURSOR, key: (r) => [r.periodStart, r.indicatorCode, r.countryIso3, r.sourceOrgId] } },
    async () => {
      const counts = await db
        .select({ scopeKey: key, n: sql<number>`count(*)::int` })
        .from(observations)
        .where(and(inArray(key, [...scope.keys]), ...observationConditions(viewer, query)))
        .groupBy(key);
      return Object.fromEntries(counts.map((c) => [String(c.scopeKey), c.n]));
    },
  );
}

/**
 * The series (indicator × country pairs) a latest-values read asks for, as a row source `series(indicator,
 * country)`: the scope keys crossed with the other dimension (the countries asked for, or every row of the
 * reference table), kept where the indicator applies (src/db/applicability.ts): a pair it does not apply to
 * is no series, whatever values were once recorded for it. A pair without values simply finds nothing.
 */
function seriesOf(scope: ObservationScope, countryFilter: readonly string[] | null | undefined): SQL | null {
  // Each pair once, however often a key or a country is named (the countries argument is the caller's).
  const filter = countryFilter?.length ? [...new Set(countryFilter)] : null;
  const scopeKeys = [...new Set(scope.keys)];
  let pairs: SQL;
  if (scope.by === 'indicator') {
    const countryList = filter ? sql`unnest(${textArray(filter)}) as other(key)` : sql`(select ${countries.iso3}::text as key from ${countries}) as other`;
    pairs = sql`select series_indicator.key as indicator, other.key::char(3) as country from unnest(${textArray(scopeKeys)}) as series_indicator(key) cross join ${countryList}`;
  } else {
    const keys = filter ? scopeKeys.filter((k) => filter.includes(k)) : scopeKeys;
    if (keys.length === 0) return null;
    pairs = sql`select other.key as indicator, series_country.key::char(3) as country from unnest(${textArray(keys)}) as series_country(key) cross join (select ${indicators.code} as key from ${indicators}) as other`;
  }
  const pair = sql.identifier('pair');
  return sql`(select * from (${pairs}) as ${pair} where ${appliesTo(sql`${pair}.indicator`, sql`${pair}.country`)}) as series`;
}

/** The indicator and the country of the current pair of seriesOf(), as the observations columns' types. */
const seriesPair = { indicator: sql`series.indicator`, country: sql`series.country` };

/**
 * The latest visible value of every series (indicator × country) for many countries or indicators, in one
 * statement: each pair's newest period is an ORDER BY period … LIMIT 1 joined LATERAL to the pairs, read off
 * an (indicator, country, period) index, so a pair costs the few index entries down to its first visible
 * revision. A DISTINCT ON over all pairs read and sorted every visible row of every series first (462 rows
 * for nine values on the quick benchmark's data: 11.3 ms, now 0.3 ms; test/plans.test.ts). Ordered by
 * country, then indicator, as before.
 */
export async function latestObservations(
  db: Db,
  viewer: Viewer,
  scope: ObservationScope,
  options: { asOf?: Date | null; countries?: readonly string[] | null; source?: string | null },
): Promise<ObservationRow[]> {
  const series = seriesOf(scope, options.countries);
  if (!series || scope.keys.length === 0) return [];
  const columns = { ...getTableColumns(observations), revision: visibleRevisionNumber(viewer).as('revision') };
  const latest = db
    .select(columns)
    .from(observations)
    .where(
      and(
        sql`${observations.indicatorCode} = ${seriesPair.indicator}`,
        sql`${observations.countryIso3} = ${seriesPair.country}`,
        visibleTo(viewer, observationRowRule),
        latestVisibleRevision(viewer, options.asOf),
        options.source ? eq(observations.sourceOrgId, options.source) : undefined,
      ),
    )
    // Two sources of the newest period: the one recorded last (each source's figure is in `bySource`).
    .orderBy(descending(observations.periodStart), descending(observations.recordedAt))
    .limit(1)
    .as('latest');
  const rows = await db.select({ row: asJsonRow(fieldsOf(latest, columns)) }).from(series).crossJoinLateral(latest);
  return rows
    .map((r) => readObservation(r.row))
    .sort((a, b) => compare(a.countryIso3, b.countryIso3) || compare(a.indicatorCode, b.indicatorCode));
}

/**
 * The latest visible value of each source's series (indicator × country × source) of the given countries,
 * in one statement: per indicator × country pair that is a series (the indicator applies), a LATERAL DISTINCT ON (source) over that pair's visible
 * values (the row rule and the revision rule), newest period first — a pair holds a few dozen values.
 */
export async function latestPerSource(db: Db, viewer: Viewer, countryCodes: readonly string[]): Promise<ObservationRow[]> {
  if (countryCodes.length === 0) return [];
  // Only the pairs the indicator applies to are series (src/db/applicability.ts).
  const pairs = sql`(select ${indicators.code} as code from ${indicators}) as pair_indicator cross join unnest(${textArray([...new Set(countryCodes)])}) as pair_country(iso3)`;
  const applicable = appliesTo(sql`pair_indicator.code`, sql`pair_country.iso3::char(3)`);
  const columns = { ...getTableColumns(observations), revision: visibleRevisionNumber(viewer).as('revision') };
  const latest = db
    .selectDistinctOn([observations.sourceOrgId], columns)
    .from(observations)
    .where(
      and(
        sql`${observations.indicatorCode} = pair_indicator.code`,
        sql`${observations.countryIso3} = pair_country.iso3::char(3)`,
        visibleTo(viewer, observationRowRule),
        latestVisibleRevision(viewer, null),
      ),
    )
    .orderBy(observations.sourceOrgId, descending(observations.periodStart))
    .as('latest');
  const rows = await db.select({ row: asJsonRow(fieldsOf(latest, columns)) }).from(pairs).crossJoinLateral(latest).where(applicable);
  return rows.map((r) => readObservation(r.row));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every source's value for the given (indicator, country, period start) keys, as the viewer reads it
 * (row rule and revision rule), in one statement: the values side by side behind `Observation.bySource`.
 */
export async function valuesOfPeriods(
  db: Db,
  viewer: Viewer,
  keys: readonly { indicator: string; country: string; periodStart: string }[],
  asOf?: Date | null,
): Promise<ObservationRow[]> {
  if (keys.length === 0) return [];
  const wanted = sql`(${observations.indicatorCode}, ${observations.countryIso3}, ${observations.periodStart}) in (select * from unnest(${textArray(keys.map((k) => k.indicator))}, ${textArray(keys.map((k) => k.country))}::char(3)[], ${textArray(keys.map((k) => k.periodStart))}::date[]))`;
  return db
    .select(columnsFor(viewer))
    .from(observations)
    .where(and(wanted, visibleTo(viewer, observationRowRule), latestVisibleRevision(viewer, asOf)))
    .then((rows) => rows.sort((a, b) => (a.sourceOrgId < b.sourceOrgId ? -1 : a.sourceOrgId > b.sourceOrgId ? 1 : 0)));
}

/** Observations (any revision) by id that the viewer may see. */
export function observationsByIds(db: Db, viewer: Reader, ids: readonly string[]): Promise<ObservationRow[]> {
  return db.select(columnsFor(viewer)).from(observations).where(and(inArray(observations.id, [...ids]), visibleTo(viewer, observationRowRule)));
}

// ---- Whole lists (the export): every in-force value the viewer may see, page by page ----

export interface ObservationFilter extends ObservationRange {
  indicator?: string | null;
  country?: string | null;
}

const LIST_CURSOR = 'obs-list';
const LIST_ORDER = [...observationOrder, descending(observations.id)];

/**
 * The export's list: the row rule and the revision rule, but not the applicability rule of the series
 * views. It is the archive of every value the viewer may see, so a value recorded for a pair its indicator
 * no longer applies to (migration 0013 keeps them) stays reachable rather than silently gone.
 */
function listConditions(viewer: Viewer, filter: ObservationFilter): SQL[] {
  const where = [visibleTo(viewer, observationRowRule), latestVisibleRevision(viewer, filter.asOf), ...rangeConditions(filter)];
  if (filter.country) where.push(eq(observations.countryIso3, filter.country));
  if (filter.indicator) where.push(eq(observations.indicatorCode, filter.indicator));
  return where;
}

/**
 * The cursor holds every key of LIST_ORDER: the source too, which orders two sources' values of one period
 * (without it, a page ending on one source's value skipped the other's whenever its id was the greater);
 * the id breaks ties, so a page boundary can never skip a row even if two revisions were in force at once.
 */
function listAfterCursor(after: string): SQL {
  const [periodStart, indicator, country, source, id] = decodeCursor(LIST_CURSOR, after, ['date', 'string', 'string', 'string', 'uuid']);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(periodStart as string) || !/^[0-9a-f-]{36}$/.test(id as string)) {
    throw badInput('The `after` cursor is not valid for this list; use a pageInfo.endCursor from it', 'after');
  }
  return sql`(${observations.periodStart}, ${observations.indicatorCode}, ${observations.countryIso3}, ${observations.sourceOrgId}, ${observations.id}) < (${periodStart}::date, ${indicator}, ${country}, ${source}, ${id}::uuid)`;
}

/**
 * Observations in force at `asOf` that the viewer may see (the same row rule and revision rule as the
 * nested lists), newest period first, as keyset pages of any size: the export reads a whole list with it.
 * A filter naming an unknown indicator or country is reported, checked only when the page is empty.
 */
export async function findObservations(
  db: Db,
  viewer: Viewer,
  filter: ObservationFilter,
  first: number,
  after?: string | null,
): Promise<Page<ObservationRow>> {
  const where = listConditions(viewer, filter);
  if (after) where.push(listAfterCursor(after));
  const rows = await db
    .select(columnsFor(viewer))
    .from(observations)
    .where(and(...where))
    .orderBy(...LIST_ORDER)
    .limit(first + 1);
  if (rows.length === 0) await assertObservationFilterReferencesExist(db, filter);
  return toPage(
    rows,
    first,
    Boolean(after),
    { tag: LIST_CURSOR, key: (r) => [r.periodStart, r.indicatorCode, r.countryIso3, r.sourceOrgId, r.id] },
    (r) => r,
    async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(observations)
        .where(and(...listConditions(viewer, filter)));
      return row?.n ?? 0;
    },
  );
}

async function assertObservationFilterReferencesExist(db: Db, filter: ObservationFilter): Promise<void> {
  if (filter.indicator) {
    const found = await db.select({ code: indicators.code }).from(indicators).where(eq(indicators.code, filter.indicator));
    if (found.length === 0) throw badInput(`Unknown indicator "${filter.indicator}"`, 'indicator');
  }
  if (filter.country) {
    const found = await db.select({ iso3: countries.iso3 }).from(countries).where(eq(countries.iso3, filter.country));
    if (found.length === 0) throw badInput(`Unknown country code "${filter.country}"`, 'country');
  }
}

/**
 * How many of the given (indicator, country, period start) keys already have a value of this source that the viewer
 * may see (any revision of it: the latest one it may see is its value): the import's dry run says how
 * many rows would correct an existing value. The row rule applies, so a hidden value and a missing one
 * look the same here too.
 */
export async function countValuesInForce(
  db: Db,
  viewer: Viewer,
  keys: readonly { indicator: string; country: string; periodStart: string }[],
  source: string,
): Promise<number> {
  if (keys.length === 0) return 0;
  const wanted = new Set(keys.map((k) => `${k.indicator}|${k.country}|${k.periodStart}`));
  const rows = await db
    .select({ indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, periodStart: observations.periodStart })
    .from(observations)
    .where(
      and(
        visibleTo(viewer, observationRowRule),
        eq(observations.sourceOrgId, source),
        inArray(observations.indicatorCode, [...new Set(keys.map((k) => k.indicator))]),
        inArray(observations.countryIso3, [...new Set(keys.map((k) => k.country))]),
        inArray(observations.periodStart, [...new Set(keys.map((k) => k.periodStart))]),
      ),
    );
  return new Set(rows.map((r) => `${r.indicatorCode}|${r.countryIso3}|${r.periodStart}`).filter((k) => wanted.has(k))).size;
}

// ---- In the order they were recorded: a feed that polls for what changed since (TAXII `added_after`) ----

/**
 * The values in force that the viewer may see (the export's row and revision rules: listConditions), each
 * once, in the order of its revision's latest published change that concerns the viewer (change-feed.ts):
 * a correction is a new row, so a new entry. The TAXII indicator-values collection. A correction committed
 * but not yet published hides its predecessor (no longer in force) until it is published itself.
 */
export async function findPublishedObservations(db: Db, viewer: Viewer, query: PublishedQuery): Promise<{ observation: ObservationRow; dateAdded: string }[]> {
  const walk = feedWalk(db, 'OBSERVATION', query.after);
  const where = [...latestConcerning('OBSERVATION', viewer), ...listConditions(viewer, {})];
  if (query.ids) where.push(inArray(observations.id, [...query.ids]));
  const rows = await db
    .select({ observation: columnsFor(viewer), dateAdded: publishedAtText(walk.publishedAt) })
    .from(walk)
    .innerJoin(observations, eq(observations.id, walk.subjectId))
    .where(and(...where))
    .orderBy(sql`${walk.publishedAt} asc`)
    .limit(query.first);
  return rows;
}

/** What identifies each value in force the viewer may see (its series and period), with its row id. */
export function visibleObservationKeys(db: Db, viewer: Viewer) {
  return db
    .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, sourceOrgId: observations.sourceOrgId, periodStart: observations.periodStart })
    .from(observations)
    .where(and(...listConditions(viewer, {})));
}
