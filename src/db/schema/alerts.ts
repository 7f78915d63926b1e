import { sql } from 'drizzle-orm';
import { boolean, char, date, doublePrecision, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { tlpEnum } from './enums.js';
import { indicators } from './indicators.js';
import { organizations } from './organizations.js';

/**
 * An early-warning alert: an indicator crossed a threshold (THRESHOLD) or broke its trend (TREND) for a
 * country and period, in one source's series. It carries the most restrictive marking of the observations behind it and is
 * visible only to viewers who may see all of them (observation_ids).
 *
 * Alerts follow the values: a write re-evaluates the periods it affects, and an alert that no longer holds
 * is kept, superseded (superseded_at, and the value revision that superseded it). known_at is when the
 * condition became known (the latest recorded time of its values), the time alerts are listed by;
 * raised_at is only when the row was written. A historical alert concerns a period that was already past
 * the back-fill horizon when its values were recorded: kept, never notified, left out of lists by default.
 *
 * Triage is not here: each organization has its own (alert_triage), since one organization's
 * acknowledgement is not another's.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    indicatorCode: text('indicator_code')
      .notNull()
      .references(() => indicators.code),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    // The source whose series raised it: a series is indicator × country × source (one source's figures).
    sourceOrgId: text('source_org_id')
      .notNull()
      .references(() => organizations.id),
    level: text('level', { enum: ['WATCH', 'WARNING', 'CRITICAL'] }).notNull(),
    rule: text('rule', { enum: ['THRESHOLD', 'TREND'] }).notNull(),
    value: doublePrecision('value').notNull(),
    // On the indicator's threshold basis: a PER_100K threshold is a rate, compared with `rate`.
    threshold: doublePrecision('threshold'),
    // The value per 100,000 population that a PER_100K indicator's threshold was compared with.
    rate: doublePrecision('rate'),
    baselineMean: doublePrecision('baseline_mean'),
    baselineStdDev: doublePrecision('baseline_std_dev'),
    zScore: doublePrecision('z_score'),
    tailProbability: doublePrecision('tail_probability'),
    tlp: tlpEnum('tlp').notNull(),
    observationIds: uuid('observation_ids').array().notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    knownAt: timestamp('known_at', { withTimezone: true, precision: 3 }).notNull(),
    historical: boolean('historical').notNull().default(false),
    supersededAt: timestamp('superseded_at', { withTimezone: true, precision: 3 }),
    // The value revision whose write showed the alert no longer holds; null when a recompute did (a rule or threshold change).
    supersededByObservationId: uuid('superseded_by_observation_id'),
  },
  (t) => [
    index('alerts_raised_idx').on(t.raisedAt.desc(), t.id.desc()),
    index('alerts_known_idx').on(t.knownAt.desc(), t.id.desc()),
    index('alerts_period_idx').on(t.periodStart.desc(), t.id.desc()),
    index('alerts_series_idx').on(t.indicatorCode, t.countryIso3, t.periodStart, t.rule),
    index('alerts_country_idx').on(t.countryIso3, t.raisedAt.desc()),
  ],
);

export type AlertRow = typeof alerts.$inferSelect;
export type NewAlert = typeof alerts.$inferInsert;

/**
 * The answer given to a recordObservations or createReport call, kept under its idempotency key: the same key sent again
 * (a retry after a lost response) returns it without writing twice.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    organizationId: text('organization_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    observationIds: uuid('observation_ids').array().notNull(),
    alertIds: uuid('alert_ids').array().notNull(),
    // createReport's answer (its report); empty for observation batches.
    reportIds: uuid('report_ids').array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.key] })],
);
