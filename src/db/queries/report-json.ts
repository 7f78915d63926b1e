import { and, asc, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Viewer } from '../../auth/viewer.js';
import type { Db } from '../database.js';
import { countries } from '../schema/countries.js';
import { organizations } from '../schema/organizations.js';
import { reportCountries, reportIndicators, reports } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { reportConditions, reportOrder, reportRowRule, type ReportQuery } from './reports.js';

/**
 * Report lists shaped as the response's JSON by PostgreSQL, for the operations the SQL path serves
 * (src/http/sql-path/): each node is built in the statement that reads it, under the same row
 * rule and order as findReports, so Node neither maps rows to objects nor executes a field per value.
 * A shape names only plain fields of a report, its countries and its author; the planner decides which
 * fields may be shaped here (the PUBLIC ones), never this module.
 */
export type JsonLang = 'en' | 'ru';

/** A field of a country or an organization as the response names it (`key`: the alias or the name). */
export type PlaceField = { key: string; read: 'typename' | 'iso3' | 'iso2' | 'id' | 'acronym' | 'kind' } | { key: string; read: 'name'; lang: JsonLang };

export type ReportField =
  | { key: string; read: 'typename' | 'id' | 'summary' | 'body' | 'publishedAt' | 'updatedAt' | 'tlp' | 'kind' | 'language' | 'topics' | 'revision' }
  | { key: string; read: 'title'; lang: JsonLang }
  | { key: string; read: 'countries' | 'author'; fields: PlaceField[] };

/** What a response hands out of each report, for the access log: the record and its marking and origin. */
export interface ReportSeen {
  id: string;
  tlp: string;
  authorOrgId: string;
}

export interface ReportJsonRow extends ReportSeen {
  node: Record<string, unknown>;
}

/** A JSON object key: a GraphQL name ([_A-Za-z][_0-9A-Za-z]*, checked by the planner), inlined as a literal. */
const key = (name: string) => sql.raw(`'${name}'`);

/** As graphql-scalars' DateTimeISO serializes a Date (Date.prototype.toISOString). */
const iso = (column: AnyColumn) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A report's title in a language, else the other one, else '' (the Report.title resolver's rule). */
const title = (lang: JsonLang) =>
  lang === 'ru' ? sql`coalesce(${reports.titleRu}, ${reports.titleEn}, '')` : sql`coalesce(${reports.titleEn}, ${reports.titleRu}, '')`;

/** A name in a language, else the other one (src/schema/common/localized.ts pick: an empty name falls through). */
const localized = (en: SQL, ru: SQL, lang: JsonLang) => (lang === 'ru' ? sql`coalesce(nullif(${ru}, ''), nullif(${en}, ''), ${ru})` : sql`coalesce(nullif(${en}, ''), ${ru})`);

function object(pairs: SQL[]): SQL {
  return sql`json_build_object(${sql.join(pairs, sql`, `)})`;
}

function countryJson(fields: PlaceField[]): SQL {
  const c = sql.identifier('c');
  return object(
    fields.map((f) => {
      if (f.read === 'typename') return sql`${key(f.key)}, 'Country'`;
      if (f.read === 'name') return sql`${key(f.key)}, ${localized(sql`${c}.name_en`, sql`${c}.name_ru`, f.lang)}`;
      if (f.read === 'iso3' || f.read === 'iso2') return sql`${key(f.key)}, ${c}.${sql.identifier(f.read)}`;
      throw new Error(`a country has no ${f.read}`);
    }),
  );
}

/** An organization as JSON; `o` names the organizations row in scope (an alias in a subquery, or the table). */
export function organizationJson(fields: PlaceField[], o: SQL | ReturnType<typeof sql.identifier> = sql.identifier('o')): SQL {
  return object(
    fields.map((f) => {
      if (f.read === 'typename') return sql`${key(f.key)}, 'Organization'`;
      if (f.read === 'name') return sql`${key(f.key)}, ${localized(sql`${o}.name_en`, sql`${o}.name_ru`, f.lang)}`;
      if (f.read === 'id' || f.read === 'acronym' || f.read === 'kind') return sql`${key(f.key)}, ${o}.${sql.identifier(f.read)}`;
      throw new Error(`an organization has no ${f.read}`);
    }),
  );
}

const dialect = new PgDialect();
/**
 * A node's JSON depends on its fields alone (keys and languages are literals, no bound parameter), so it
 * is rendered to SQL text once per planned field list and reused as one raw chunk: rebuilding the tree
 * of a few dozen fragments per request was the largest cost left in Node (drizzle walking it).
 */
const rendered = new WeakMap<ReportField[], SQL>();

/** One report node as JSON, the report being the `reports` row in scope; `fields` must not change once given. */
export function reportNodeJson(fields: ReportField[]): SQL {
  let node = rendered.get(fields);
  if (!node) {
    const query = dialect.sqlToQuery(buildNodeJson(fields));
    if (query.params.length > 0) throw new Error('a report node shape must not bind parameters');
    node = sql.raw(query.sql);
    rendered.set(fields, node);
  }
  return node;
}

function buildNodeJson(fields: ReportField[]): SQL {
  return object(
    fields.map((f) => {
      switch (f.read) {
        case 'typename':
          return sql`${key(f.key)}, 'Report'`;
        case 'id':
          return sql`${key(f.key)}, ${reports.id}`;
        case 'summary':
          return sql`${key(f.key)}, ${reports.summary}`;
        case 'body':
          return sql`${key(f.key)}, ${reports.body}`;
        case 'title':
          return sql`${key(f.key)}, ${title(f.lang)}`;
        case 'publishedAt':
          return sql`${key(f.key)}, ${iso(reports.publishedAt)}`;
        case 'updatedAt':
          return sql`${key(f.key)}, ${iso(reports.updatedAt)}`;
        case 'tlp':
          return sql`${key(f.key)}, ${reports.tlp}`;
        case 'kind':
          return sql`${key(f.key)}, ${reports.kind}`;
        case 'language':
          return sql`${key(f.key)}, case when ${reports.language} = 'ru' then 'RU' else 'EN' end`;
        case 'topics':
          return sql`${key(f.key)}, to_json(${reports.topics})`;
        case 'revision':
          return sql`${key(f.key)}, ${reports.revision}`;
        case 'countries':
          // The codes sorted, as the read paths give them (reports.ts linkedCodes).
          return sql`${key(f.key)}, (select coalesce(json_agg(${countryJson(f.fields)} order by ${sql.identifier('c')}.iso3), '[]')
            from ${reportCountries} join ${countries} as ${sql.identifier('c')} on ${sql.identifier('c')}.iso3 = ${reportCountries.countryIso3}
            where ${reportCountries.reportId} = ${reports.id})`;
        case 'author':
          return sql`${key(f.key)}, (select ${organizationJson(f.fields)} from ${organizations} as ${sql.identifier('o')} where ${sql.identifier('o')}.id = ${reports.authorOrgId})`;
      }
    }),
  );
}

/**
 * A page of reports (findReports' conditions: the row rule, not retracted unless asked, the filter; its
 * order and limit), each row carrying its node as JSON and what the access log needs. No cursor, no
 * next-page row: the planner serves only selections that ask for neither.
 */
export async function findReportsAsJson(db: Db, viewer: Viewer, query: Pick<ReportQuery, 'orderBy' | 'first'>, fields: ReportField[]): Promise<ReportJsonRow[]> {
  return db
    .select({ id: reports.id, tlp: reports.tlp, authorOrgId: reports.authorOrgId, node: sql<Record<string, unknown>>`${reportNodeJson(fields)}` })
    .from(reports)
    .where(and(...reportConditions(viewer, null)))
    .orderBy(...reportOrder(query.orderBy))
    .limit(query.first);
}

export interface OrganizationReportsJsonRow {
  orgId: string;
  org: Record<string, unknown>;
  /** A report of the organization's page, or null for an organization without one the viewer may see. */
  report: ReportJsonRow | null;
}

/**
 * A page of organizations (by id, as findOrganizations orders them) with each one's page of reports, in
 * ONE statement: the organizations' page joined LATERAL to a page of each one's reports under the row
 * rule (findReportPagesByScope's conditions and order, each page read off the author index). One row per
 * report, in the organizations' order and each page's order; an organization without reports comes once,
 * its report null.
 */
export async function findOrganizationsWithReportsAsJson(
  db: Db,
  viewer: Viewer,
  query: { first: number },
  orgFields: PlaceField[],
  reportsQuery: Pick<ReportQuery, 'orderBy' | 'first'>,
  reportFields: ReportField[],
): Promise<OrganizationReportsJsonRow[]> {
  const orgPage = db
    .select({ id: organizations.id, org: sql<Record<string, unknown>>`${organizationJson(orgFields, sql.identifier('organizations'))}`.as('org') })
    .from(organizations)
    .orderBy(asc(organizations.id))
    .limit(query.first)
    .as('org_page');
  const reportPage = db
    .select({ id: reports.id, tlp: reports.tlp, authorOrgId: reports.authorOrgId, node: sql<Record<string, unknown>>`${reportNodeJson(reportFields)}`.as('node') })
    .from(reports)
    .where(and(...reportConditions(viewer, null), sql`${reports.authorOrgId} = ${orgPage.id}`))
    .orderBy(...reportOrder(reportsQuery.orderBy))
    .limit(reportsQuery.first)
    .as('report_page');
  const rows = await db
    .select({ orgId: orgPage.id, org: orgPage.org, id: reportPage.id, tlp: reportPage.tlp, authorOrgId: reportPage.authorOrgId, node: reportPage.node })
    .from(orgPage)
    .leftJoinLateral(reportPage, sql`true`);
  return rows.map((r) => ({ orgId: r.orgId, org: r.org, report: r.id ? { id: r.id, tlp: r.tlp!, authorOrgId: r.authorOrgId!, node: r.node! } : null }));
}

/**
 * One report by id as JSON, under the row rule alone (reportsByIds: by id, a retracted report is still
 * read), with the codes of its indicators, sorted as the read paths give them; null if hidden or missing.
 */
export async function findReportAsJson(db: Db, viewer: Viewer, id: string, fields: ReportField[]): Promise<(ReportJsonRow & { indicatorCodes: string[] }) | null> {
  const [row] = await db
    .select({
      id: reports.id,
      tlp: reports.tlp,
      authorOrgId: reports.authorOrgId,
      node: sql<Record<string, unknown>>`${reportNodeJson(fields)}`,
      indicatorCodes: sql<string[]>`array(select ${reportIndicators.indicatorCode} from ${reportIndicators} where ${reportIndicators.reportId} = ${reports.id} order by 1)`,
    })
    .from(reports)
    .where(and(eq(reports.id, id), visibleTo(viewer, reportRowRule)));
  return row ?? null;
}
