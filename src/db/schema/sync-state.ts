import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { peers } from './peers.js';

/**
 * Where we are in each peer's change feed (issue 17, the receiving side of a pull). The cursor is written
 * in the same transaction as the page it follows (src/sync/puller.ts), so after a crash at any point the
 * next pass starts exactly after the last page applied: no gap, no duplicate. Failures count up and push
 * the next attempt back (exponential back-off); a success resets them.
 */
export const syncState = pgTable('sync_state', {
  peerId: text('peer_id')
    .primaryKey()
    .references(() => peers.id),
  cursor: text('cursor'),
  lastSuccessAt: timestamp('last_success_at', { withTimezone: true, precision: 3 }),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }),
  lastError: text('last_error'),
});

/**
 * Entries of a peer's feed that could not be applied here (an organization, country or indicator we do
 * not know, an id one of our own records holds): kept whole, with the reason, so the feed goes on and a
 * network-admin can read them (Query.syncDeadLetters, `npm run peers -- dead-letters`).
 */
export const syncDeadLetters = pgTable(
  'sync_dead_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    peerId: text('peer_id')
      .notNull()
      .references(() => peers.id),
    entry: jsonb('entry').$type<Record<string, unknown>>().notNull(),
    reason: text('reason').notNull(),
    // The cursor of the page it came in: where to pull again from once the cause is fixed.
    pageAfter: text('page_after'),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('sync_dead_letters_peer_idx').on(t.peerId, t.receivedAt)],
);

export type SyncStateRow = typeof syncState.$inferSelect;
export type SyncDeadLetterRow = typeof syncDeadLetters.$inferSelect;
