import { sql } from 'drizzle-orm';
import {
  char,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
  uniqueIndex,
  check,
  jsonb,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { languageEnum, reportKindEnum, sourceReliabilityEnum, tlpEnum } from './enums.js';
import { indicators } from './indicators.js';
import { organizations } from './organizations.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    titleEn: text('title_en'),
    titleRu: text('title_ru'),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    language: languageEnum('language').notNull(),
    kind: reportKindEnum('kind').notNull(),
    topics: text('topics').array().notNull().default(sql`'{}'::text[]`),
    authorOrgId: text('author_org_id')
      .notNull()
      .references(() => organizations.id),
    // The person who wrote it: under TLP:RED only named individuals may read a report.
    authorSub: text('author_sub').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true, precision: 3 }).notNull(),
    tlp: tlpEnum('tlp').notNull(),
    sourceReliability: sourceReliabilityEnum('source_reliability').notNull(),
    informationCredibility: smallint('information_credibility').notNull(),
    sourceDescription: text('source_description'),
    sanctionsReferences: text('sanctions_references').array().notNull().default(sql`'{}'::text[]`),
    revision: integer('revision').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    retractedAt: timestamp('retracted_at', { withTimezone: true, precision: 3 }),
    retractionReason: text('retraction_reason'),
    // A tearline: a derived, lower-marking version of the report it points to, for wider release.
    tearlineOf: uuid('tearline_of').references((): AnyPgColumn => reports.id),
    // A report imported from STIX keeps the id and version its producer gave it (src/stix/import.ts), so a
    // round trip preserves ids and a re-import of the same version writes nothing. stix_modified is the
    // imported version's `modified`; any later write here clears it (the version is then ours again).
    // Unique per author organization, not globally: a global constraint would tell an importer that a
    // report it may not see holds the id.
    stixId: text('stix_id'),
    stixModified: timestamp('stix_modified', { withTimezone: true, precision: 3 }),
    // A read-only copy of a record another instance owns (issue 17): that instance's INSTANCE_ID; null for
    // our own. The copy keeps its author organization, marking and the grants that travelled as grants rows,
    // so THE row rule (src/db/visibility.ts) reads it unchanged (src/sync/apply.ts writes it).
    originInstanceId: text('origin_instance_id'),
    // The 'russian' configuration stems Cyrillic words with the Russian stemmer and ASCII words with the
    // English one, so one vector and one GIN index serve both languages of the network.
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`setweight(to_tsvector('russian'::regconfig, coalesce(title_en, '') || ' ' || coalesce(title_ru, '')), 'A') || setweight(to_tsvector('russian'::regconfig, summary), 'B') || setweight(to_tsvector('russian'::regconfig, body), 'C')`,
    ),
  },
  (t) => [
    index('reports_published_idx').on(t.publishedAt.desc(), t.id.desc()),
    index('reports_updated_idx').on(t.updatedAt.desc(), t.id.desc()),
    index('reports_author_published_idx').on(t.authorOrgId, t.publishedAt.desc(), t.id.desc()),
    index('reports_tlp_idx').on(t.tlp),
    index('reports_grading_idx').on(t.sourceReliability, t.informationCredibility, t.publishedAt.desc(), t.id.desc()),
    index('reports_kind_idx').on(t.kind),
    index('reports_topics_idx').using('gin', t.topics),
    index('reports_search_idx').using('gin', t.searchVector),
    check('reports_title_present', sql`coalesce(${t.titleEn}, ${t.titleRu}) is not null`),
    check('reports_credibility_range', sql`${t.informationCredibility} between 1 and 6`),
    index('reports_tearline_of_idx').on(t.tearlineOf),
    uniqueIndex('reports_author_stix_id_idx').on(t.authorOrgId, t.stixId),
  ],
);

/** Earlier revisions of a report, kept when updateReport writes a new one (the audit trail of its content). */
export const reportVersions = pgTable(
  'report_versions',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    snapshot: jsonb('snapshot').notNull(),
    replacedAt: timestamp('replaced_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    replacedBySub: text('replaced_by_sub').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.revision] })],
);

export const reportCountries = pgTable(
  'report_countries',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.countryIso3] }), index('report_countries_country_idx').on(t.countryIso3, t.reportId)],
);

export const reportIndicators = pgTable(
  'report_indicators',
  {
    reportId: uuid('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.indicatorCode] }), index('report_indicators_indicator_idx').on(t.indicatorCode)],
);

export type ReportRow = typeof reports.$inferSelect;
