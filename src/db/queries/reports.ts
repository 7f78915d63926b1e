import { and, asc, eq, getTableColumns, gte, inArray, lt, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { Reader, Viewer } from '../../auth/viewer.js';
import { badInput } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import type { Db } from '../database.js';
import { countries } from '../schema/countries.js';
import { grants } from '../schema/grants.js';
import { organizations } from '../schema/organizations.js';
import { reportCountries, reportIndicators, reports } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { gradingConditions, type GradingFilter } from './grading.js';
import { asJsonRow, readJsonRow } from './json-rows.js';
import { fieldsOf, scopedPages, scopeKey, scopeKeys, toPage } from './page.js';
import { ascending, descending } from './sql-fragments.js';
import { feedWalk, latestConcerning, publishedAtText, publishedRevision } from './change-feed.js';

// Every column but the search vector, which no caller needs and which is large.
export const { searchVector: _searchVector, ...reportColumns } = getTableColumns(reports);
export type ReportRecord = { [K in keyof typeof reportColumns]: (typeof reports.$inferSelect)[K] };

/** The codes of a report's countries and indicators, sorted: read with the report, in its statement. */
export interface ReportLinks {
  countryCodes: string[];
  indicatorCodes: string[];
}
/** A report as the read paths return it: its columns and its links. */
export type ReportRead = ReportRecord & ReportLinks;

function linkedCodes(reportId: AnyColumn | SQL) {
  return {
    countryCodes: sql<string[]>`array(select ${reportCountries.countryIso3} from ${reportCountries} where ${reportCountries.reportId} = ${reportId} order by 1)`,
    indicatorCodes: sql<string[]>`array(select ${reportIndicators.indicatorCode} from ${reportIndicators} where ${reportIndicators.reportId} = ${reportId} order by 1)`,
  };
}
const readColumns = { ...reportColumns, ...linkedCodes(reports.id) };
const readReport = readJsonRow<ReportRead>(readColumns);

/**
 * A list that selects neither `summary` nor `body` reads its rows without them: they are most of a row's
 * bytes, which PostgreSQL turns into JSON and Node parses and keeps for the request (a page of 220
 * rows: 4.2 ms of JSON building with them, 1.5 ms without, on the bench data).
 */
const { summary: _summary, body: _body, ...leanColumns } = reportColumns;
const leanReadColumns = { ...leanColumns, ...linkedCodes(reports.id) };
const readLeanReport = readJsonRow<ReportRead>(leanReadColumns);

export type ReportOrder = 'PUBLISHED_DESC' | 'PUBLISHED_ASC' | 'UPDATED_DESC' | 'GRADING';

export interface ReportFilter extends GradingFilter {
  country?: string | null;
  topic?: string | null;
  kind?: string | null;
  tlp?: string | null;
  author?: string | null;
  publishedFrom?: Date | null;
  publishedTo?: Date | null;
  search?: string | null;
  includeRetracted?: boolean | null;
}

export interface ReportQuery {
  filter?: ReportFilter | null;
  orderBy: ReportOrder;
  first: number;
  after?: string | null;
  /** false: the caller selects neither summary nor body, and the rows leave them out (undefined). */
  withText?: boolean;
}

/** A nested list: the reports of several countries or of several authors, fetched together. */
export interface ReportScope {
  by: 'country' | 'author';
  keys: readonly string[];
}

export const reportRowRule = {
  id: reports.id,
  tlp: reports.tlp,
  originOrgId: reports.authorOrgId,
  originSub: reports.authorSub,
  grantSubject: grants.reportId,
};

const ORDERS = {
  PUBLISHED_DESC: { column: reports.publishedAt, dir: 'desc' },
  PUBLISHED_ASC: { column: reports.publishedAt, dir: 'asc' },
  UPDATED_DESC: { column: reports.updatedAt, dir: 'desc' },
} as const;

/**
 * GRADING: best graded first (source A before B…, then information 1 before 2…), newest publication
 * first within a grade; reports_grading_idx reads it in this order (plain `asc` is its NULLS LAST).
 */
const GRADING_ORDER = [sql`${reports.sourceReliability} asc`, sql`${reports.informationCredibility} asc`, descending(reports.publishedAt), descending(reports.id)];

export function reportOrder(order: ReportOrder): SQL[] {
  if (order === 'GRADING') return GRADING_ORDER;
  const { column, dir } = ORDERS[order];
  return dir === 'desc' ? [descending(column), descending(reports.id)] : [ascending(column), ascending(reports.id)];
}

function cursorKey(order: ReportOrder, row: ReportRecord): (string | number)[] {
  if (order === 'GRADING') return [row.sourceReliability, row.informationCredibility, row.publishedAt.toISOString(), row.id];
  const at = order === 'UPDATED_DESC' ? row.updatedAt : row.publishedAt;
  return [at.toISOString(), row.id];
}

const invalidCursor = () => badInput('The `after` cursor is not valid for this list; use a pageInfo.endCursor from it', 'after');

/** After (reliability, credibility, publishedAt, id) in GRADING order: the first two ascend, the last two descend. */
function afterGradingCursor(after: string): SQL {
  const [reliability, credibility, at, id] = decodeCursor('GRADING', after, ['string', 'integer', 'instant', 'uuid']);
  if (!/^[A-F]$/.test(reliability as string)) throw invalidCursor();
  const r = sql`${reliability}::source_reliability`;
  return sql`(${reports.sourceReliability} > ${r}
    or (${reports.sourceReliability} = ${r} and (${reports.informationCredibility} > ${credibility}
      or (${reports.informationCredibility} = ${credibility} and (${reports.publishedAt}, ${reports.id}) < (${at}::timestamptz, ${id}::uuid)))))`;
}

function afterCursor(order: ReportOrder, after: string): SQL {
  if (order === 'GRADING') return afterGradingCursor(after);
  const [at, id] = decodeCursor(order, after, ['instant', 'uuid']);
  const instant = new Date(at as string);
  if (Number.isNaN(instant.getTime()) || !/^[0-9a-f-]{36}$/.test(id as string)) throw invalidCursor();
  const { column, dir } = ORDERS[order];
  const cmp = dir === 'desc' ? sql`<` : sql`>`;
  return sql`(${column}, ${reports.id}) ${cmp} (${instant.toISOString()}::timestamptz, ${id}::uuid)`;
}

/** Filter conditions plus THE row rule: nothing reaches a caller that the viewer may not see. */
export function reportConditions(viewer: Viewer, filter: ReportFilter | null | undefined): SQL[] {
  const where: SQL[] = [visibleTo(viewer, reportRowRule)];
  if (!filter?.includeRetracted) where.push(sql`${reports.retractedAt} is null`);
  if (filter?.country) {
    where.push(
      sql`exists (select 1 from ${reportCountries} where ${reportCountries.reportId} = ${reports.id} and ${reportCountries.countryIso3} = ${filter.country})`,
    );
  }
  if (filter?.topic) where.push(sql`${reports.topics} @> array[${filter.topic}]::text[]`);
  if (filter?.kind) where.push(eq(reports.kind, filter.kind as ReportRecord['kind']));
  if (filter?.tlp) where.push(eq(reports.tlp, filter.tlp as ReportRecord['tlp']));
  if (filter?.author) where.push(eq(reports.authorOrgId, filter.author));
  if (filter?.publishedFrom) where.push(gte(reports.publishedAt, filter.publishedFrom));
  if (filter?.publishedTo) where.push(lt(reports.publishedAt, filter.publishedTo));
  where.push(...gradingConditions(reports, filter));
  // report_search_query (migration 0010): websearch_to_tsquery widened to word forms, with prefix matches the GIN index serves.
  if (filter?.search?.trim()) where.push(sql`${reports.searchVector} @@ report_search_query(${filter.search})`);
  return where;
}

/**
 * A filter naming a country or author that does not exist is a mistake worth telling the caller about.
 * Checked only when the list came back empty, so a good request pays nothing for it.
 */
async function assertFilterReferencesExist(db: Db, filter: ReportFilter | null | undefined): Promise<void> {
  if (filter?.country) {
    const found = await db.select({ iso3: countries.iso3 }).from(countries).where(eq(countries.iso3, filter.country));
    if (found.length === 0) throw badInput(`Unknown country code "${filter.country}"`, 'filter.country');
  }
  if (filter?.author) {
    const found = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, filter.author));
    if (found.length === 0) throw badInput(`Unknown organization "${filter.author}"`, 'filter.author');
  }
}

export async function countReports(db: Db, viewer: Viewer, filter: ReportFilter | null | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reports)
    .where(and(...reportConditions(viewer, filter)));
  return row?.n ?? 0;
}

export async function findReports(db: Db, viewer: Viewer, query: ReportQuery): Promise<Page<ReportRead>> {
  const where = reportConditions(viewer, query.filter);
  if (query.after) where.push(afterCursor(query.orderBy, query.after));
  const lean = query.withText === false;
  const rows = (
    await db
      .select({ row: asJsonRow(lean ? leanReadColumns : readColumns) })
      .from(reports)
      .where(and(...where))
      .orderBy(...reportOrder(query.orderBy))
      .limit(query.first + 1)
  ).map((r) => (lean ? readLeanReport : readReport)(r.row));
  if (rows.length === 0) await assertFilterReferencesExist(db, query.filter);
  return toPage(
    rows,
    query.first,
    Boolean(query.after),
    { tag: query.orderBy, key: (r) => cursorKey(query.orderBy, r) },
    (r) => r,
    () => countReports(db, viewer, query.filter),
  );
}

function scopeColumn(scope: ReportScope) {
  return scope.by === 'country' ? reportCountries.countryIso3 : reports.authorOrgId;
}

/** Reports joined to their scope: a country's through report_countries, an author's directly. */
function scopedFrom<S extends SelectedFields>(db: Db, scope: ReportScope, select: S) {
  const query = db.select(select).from(reports).$dynamic();
  return scope.by === 'country'
    ? query.innerJoin(reportCountries, and(eq(reportCountries.reportId, reports.id), inArray(reportCountries.countryIso3, [...scope.keys])))
    : query;
}

/** Inside a per-key page: the report belongs to the current scope key. */
function inScopeKey(scope: ReportScope): SQL {
  return scope.by === 'author'
    ? sql`${reports.authorOrgId} = ${scopeKey}`
    : sql`exists (select 1 from ${reportCountries} where ${reportCountries.reportId} = ${reports.id} and ${reportCountries.countryIso3} = ${scopeKey})`;
}

/**
 * Pages of reports for many countries or authors in ONE statement (each key's page is an ORDER BY …
 * LIMIT joined LATERAL to the keys), so a list of countries with their reports costs the same whatever
 * its length, and each key reads only its first+1 rows.
 */
export async function findReportPagesByScope(
  db: Db,
  viewer: Viewer,
  scope: ReportScope,
  query: ReportQuery,
): Promise<Map<string, Page<ReportRead>>> {
  const where = [...reportConditions(viewer, query.filter), inScopeKey(scope)];
  if (query.after) where.push(afterCursor(query.orderBy, query.after));
  const lean = query.withText === false;
  const columns = lean ? leanColumns : reportColumns;
  const page = db
    .select(columns)
    .from(reports)
    .where(and(...where))
    .orderBy(...reportOrder(query.orderBy))
    .limit(query.first + 1)
    .as('page');
  const fields = fieldsOf(page, columns);
  const read = lean ? readLeanReport : readReport;
  const rows = (await db.select({ scopeKey, row: asJsonRow({ ...fields, ...linkedCodes(fields.id) }) }).from(scopeKeys(scope.keys)).crossJoinLateral(page)).map(
    (r) => Object.assign(read(r.row), { scopeKey: r.scopeKey }),
  );
  return scopedPages(
    scope.keys,
    rows,
    (r) => r.scopeKey,
    { first: query.first, hadCursor: Boolean(query.after), cursor: { tag: query.orderBy, key: (r) => cursorKey(query.orderBy, r) } },
    () => countByScope(db, viewer, scope, query.filter),
  );
}

/** totalCount of every scope in one grouped statement. */
async function countByScope(db: Db, viewer: Viewer, scope: ReportScope, filter: ReportFilter | null | undefined) {
  const key = scopeColumn(scope);
  const where = reportConditions(viewer, filter);
  if (scope.by === 'author') where.push(inArray(reports.authorOrgId, [...scope.keys]));
  const rows = await scopedFrom(db, scope, { scopeKey: sql<string>`${key}`, n: sql<number>`count(*)::int` })
    .where(and(...where))
    .groupBy(key);
  return Object.fromEntries(rows.map((r) => [r.scopeKey, r.n]));
}

export function reportsByIds(db: Db, viewer: Reader, ids: readonly string[]): Promise<ReportRead[]> {
  return db
    .select(readColumns)
    .from(reports)
    .where(and(inArray(reports.id, [...ids]), visibleTo(viewer, reportRowRule)));
}

/** The tearlines (derived lower-marking versions) of many reports that the viewer may see, in one statement. */
export function tearlinesOf(db: Db, viewer: Reader, sourceIds: readonly string[]): Promise<ReportRead[]> {
  return db
    .select(readColumns)
    .from(reports)
    .where(and(inArray(reports.tearlineOf, [...sourceIds]), visibleTo(viewer, reportRowRule)))
    .orderBy(asc(reports.publishedAt));
}

/** The country codes each of many reports covers, in one statement, by code. */
export function countryLinksOfReports(db: Db, reportIds: readonly string[]) {
  return db
    .select({ reportId: reportCountries.reportId, countryIso3: reportCountries.countryIso3 })
    .from(reportCountries)
    .where(inArray(reportCountries.reportId, [...reportIds]))
    .orderBy(asc(reportCountries.countryIso3));
}

/**
 * The newest reports of each topic that the viewer may see, in one statement, optionally about one
 * country; retracted reports are left out. One UNION ALL branch per topic, each an ORDER BY … LIMIT with
 * its topic as a value the planner sees: it walks reports_published_idx for a common topic (stopping after
 * the page) and takes reports_topics_idx for a rare one (sorting its few rows). A LATERAL join over the
 * topics (the first form) was planned once for any topic: the GIN index and a sort of every report of the
 * topic, ~700 rows for a page of 2 at 20,000 reports (the benchmark's EXPLAIN guard, W7). The report
 * columns are read in the branches, their JSON (with linked codes) built only for the page.
 */
export async function latestReportsByTopic(db: Db, viewer: Viewer, topics: readonly string[], country: string | null, perTopic: number): Promise<Map<string, ReportRead[]>> {
  const byTopic = new Map<string, ReportRead[]>(topics.map((t) => [t, []]));
  if (topics.length === 0) return byTopic;
  const branch = (topic: string) =>
    db
      .select({ topic: sql<string>`${topic}::text`.as('topic'), ...reportColumns })
      .from(reports)
      .where(and(...reportConditions(viewer, { country }), sql`${reports.topics} @> array[${topic}]::text[]`))
      .orderBy(...reportOrder('PUBLISHED_DESC'))
      .limit(perTopic);
  const page = sql.identifier('page');
  const fields = Object.fromEntries(Object.entries(reportColumns).map(([key, column]) => [key, sql`${page}.${sql.identifier(column.name)}`]));
  const rows = await db
    .select({ topic: sql<string>`${page}.topic`, row: asJsonRow({ ...fields, ...linkedCodes(sql`${page}.id`) }) })
    .from(sql`(${sql.join(topics.map((t) => sql`(${branch(t)})`), sql` union all `)}) as ${page}`);
  for (const r of rows) byTopic.get(r.topic)?.push(readReport(r.row));
  return byTopic;
}

// ---- In the order they were written: a feed that polls for what changed since (TAXII `added_after`) ----

export interface PublishedQuery {
  /** Only records whose latest change concerning the viewer was published after this stamp (exclusive). */
  after: string | null;
  /** Only these records (our ids). */
  ids?: readonly string[] | null;
  first: number;
}

/**
 * The reports the viewer may see, retracted ones included (a feed must carry the retraction), each once,
 * in the order of its latest published change that concerns the viewer (change-feed.ts): the TAXII
 * reports collection. `dateAdded` is that change's stamp. A revision committed but not yet published
 * is not served yet (publishedRevision). The row rule is reportConditions', as for every other list.
 */
export async function findPublishedReports(db: Db, viewer: Viewer, query: PublishedQuery): Promise<{ report: ReportRead; dateAdded: string }[]> {
  const walk = feedWalk(db, 'REPORT', query.after);
  const where = [
    ...latestConcerning('REPORT', viewer),
    ...reportConditions(viewer, { includeRetracted: true }),
    sql`${reports.revision} <= ${publishedRevision('REPORT', reports.id)}`,
  ];
  if (query.ids) where.push(inArray(reports.id, [...query.ids]));
  const rows = await db
    .select({ row: asJsonRow(readColumns), dateAdded: publishedAtText(walk.publishedAt) })
    .from(walk)
    .innerJoin(reports, eq(reports.id, walk.subjectId))
    .where(and(...where))
    .orderBy(sql`${walk.publishedAt} asc`)
    .limit(query.first);
  return rows.map((r) => ({ report: readReport(r.row), dateAdded: r.dateAdded }));
}

/** The ids of every report the viewer may see, retracted ones included. */
export async function visibleReportIds(db: Db, viewer: Viewer): Promise<{ id: string; stixId: string | null }[]> {
  return db
    .select({ id: reports.id, stixId: reports.stixId })
    .from(reports)
    .where(and(...reportConditions(viewer, { includeRetracted: true })));
}
