import { boolean, char, doublePrecision, pgTable, primaryKey, text, index, timestamp } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { countryGroups } from './country-groups.js';
import { periodicityEnum, worseDirectionEnum } from './enums.js';

export const indicators = pgTable(
  'indicators',
  {
    code: text('code').primaryKey(),
    nameEn: text('name_en').notNull(),
    nameRu: text('name_ru').notNull(),
    descriptionEn: text('description_en').notNull(),
    descriptionRu: text('description_ru').notNull(),
    theme: text('theme').notNull(),
    // The English unit and methodology keep their first columns' names (`unit`, `methodology`), which
    // operators' SQL and the benchmark's PostGraphile schema read; the Russian ones sit beside them.
    unit: text('unit').notNull(),
    unitRu: text('unit_ru').notNull(),
    // COUNT: whole events per period (incidents, cases, items), judged by a count model in the TREND rule.
    scale: text('scale', { enum: ['COUNT', 'MEASURE'] }).notNull().default('MEASURE'),
    // The owner's opt-out of the TREND rule's watch-level requirement.
    trendBelowWatch: boolean('trend_below_watch').notNull().default(false),
    // The owner's choice to tell readers that values exist which they may not see ("withheld"); off: say nothing.
    discloseWithheld: boolean('disclose_withheld').notNull().default(false),
    periodicity: periodicityEnum('periodicity').notNull(),
    worseDirection: worseDirectionEnum('worse_direction').notNull(),
    methodology: text('methodology').notNull(),
    methodologyRu: text('methodology_ru').notNull(),
    // What the thresholds (the default ones and each country's) are read against: the value itself, or
    // for a COUNT the value per 100,000 of the country's population in the period's year, so that a level
    // means the same in Turkmenistan as in Uzbekistan (src/alerts/levels.ts).
    thresholdBasis: text('threshold_basis', { enum: ['ABSOLUTE', 'PER_100K'] }).notNull().default('ABSOLUTE'),
    // The default thresholds: a country without its own (indicator_country_thresholds) is judged by these.
    thresholdWatch: doublePrecision('threshold_watch').notNull(),
    thresholdWarning: doublePrecision('threshold_warning').notNull(),
    thresholdCritical: doublePrecision('threshold_critical').notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
  },
  (t) => [index('indicators_theme_idx').on(t.theme)],
);

export type IndicatorRow = typeof indicators.$inferSelect;

/*
 * Where an indicator applies: the countries it names one by one, and the country groups (roles) it names,
 * whose members it applies to. Incidents near the Afghan northern border are a series of the states
 * bordering Afghanistan, not of Kazakhstan. An indicator that declares nothing applies nowhere: its values
 * are refused until an operator declares where it applies (src/db/applicability.ts reads both tables).
 */
export const indicatorCountries = pgTable(
  'indicator_countries',
  {
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code, { onDelete: 'cascade' }),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
  },
  (t) => [primaryKey({ columns: [t.indicatorCode, t.countryIso3] })],
);

export const indicatorCountryGroups = pgTable(
  'indicator_country_groups',
  {
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code, { onDelete: 'cascade' }),
    groupCode: text('group_code')
      .notNull()
      .references(() => countryGroups.code),
  },
  (t) => [primaryKey({ columns: [t.indicatorCode, t.groupCode] })],
);

/*
 * A country's own thresholds for an indicator, where the default would mislead (Afghanistan's incident
 * counts are of another order than Kyrgyzstan's). Read on the indicator's basis; kept by network-admin
 * (setCountryThresholds), every change audited, and the series' alerts re-evaluated in the same transaction.
 */
export const indicatorCountryThresholds = pgTable(
  'indicator_country_thresholds',
  {
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code, { onDelete: 'cascade' }),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
    thresholdWatch: doublePrecision('threshold_watch').notNull(),
    thresholdWarning: doublePrecision('threshold_warning').notNull(),
    thresholdCritical: doublePrecision('threshold_critical').notNull(),
    // Why this country differs from the default (shown to readers beside the thresholds).
    note: text('note').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.indicatorCode, t.countryIso3] })],
);

export type IndicatorCountryThresholdsRow = typeof indicatorCountryThresholds.$inferSelect;
