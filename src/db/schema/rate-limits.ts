import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Per-organization request and cost counters shared by every API process (rate-limiter-flexible's
 * Drizzle store), so a limit holds behind a load balancer.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  expire: timestamp('expire', { withTimezone: true, precision: 3 }),
});
