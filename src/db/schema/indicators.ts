import { boolean, doublePrecision, pgTable, text, index } from 'drizzle-orm/pg-core';
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
    periodicity: periodicityEnum('periodicity').notNull(),
    worseDirection: worseDirectionEnum('worse_direction').notNull(),
    methodology: text('methodology').notNull(),
    methodologyRu: text('methodology_ru').notNull(),
    thresholdWatch: doublePrecision('threshold_watch').notNull(),
    thresholdWarning: doublePrecision('threshold_warning').notNull(),
    thresholdCritical: doublePrecision('threshold_critical').notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
  },
  (t) => [index('indicators_theme_idx').on(t.theme)],
);

export type IndicatorRow = typeof indicators.$inferSelect;
