import { sql } from 'drizzle-orm';
import { char, check, date, doublePrecision, index, integer, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { sourceReliabilityEnum, tlpEnum } from './enums.js';
import { indicators } from './indicators.js';
import { organizations } from './organizations.js';
import { reports } from './reports.js';

/**
 * One row per revision of a value: a correction adds a row with a later recorded_at and never
 * overwrites, so "the value as of a date" is the latest revision recorded on or before it.
 */
export const observations = pgTable(
  'observations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
    // First day of the period (month, quarter or year, per the indicator's periodicity).
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    value: doublePrecision('value').notNull(),
    sourceOrgId: text('source_org_id')
      .notNull()
      .references(() => organizations.id),
    recordedBySub: text('recorded_by_sub').notNull(),
    tlp: tlpEnum('tlp').notNull(),
    sourceReliability: sourceReliabilityEnum('source_reliability').notNull(),
    informationCredibility: smallint('information_credibility').notNull(),
    note: text('note'),
    // Provenance: how settled the figure is, and the report it rests on (shown only to those who may see that report).
    status: text('status', { enum: ['PROVISIONAL', 'ESTIMATED', 'FINAL'] }).notNull().default('FINAL'),
    sourceReportId: uuid('source_report_id').references(() => reports.id),
    revision: integer('revision').notNull().default(1),
    // A read-only copy of a value another instance owns (issue 17): that instance's INSTANCE_ID; null for our own.
    originInstanceId: text('origin_instance_id'),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // Set when a later revision is recorded: the revision in force at T has recorded_at <= T < superseded_at.
    supersededAt: timestamp('superseded_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('observations_series_idx').on(t.indicatorCode, t.countryIso3, t.periodStart.desc(), t.recordedAt.desc()),
    index('observations_country_idx').on(t.countryIso3, t.indicatorCode, t.periodStart.desc(), t.recordedAt.desc()),
    index('observations_source_idx').on(t.sourceOrgId),
    index('observations_current_idx')
      .on(t.countryIso3, t.indicatorCode, t.periodStart.desc())
      .where(sql`${t.supersededAt} is null`),
    // One value in force per source and period: two first writes of the same value racing (no row yet for
    // FOR UPDATE to lock) cannot both stay in force; the later one retries as a revision (observation-writes.ts).
    uniqueIndex('observations_in_force_key')
      .on(t.indicatorCode, t.countryIso3, t.periodStart, t.sourceOrgId)
      .where(sql`${t.supersededAt} is null`),
    check('observations_credibility_range', sql`${t.informationCredibility} between 1 and 6`),
  ],
);

export type ObservationRow = typeof observations.$inferSelect;
