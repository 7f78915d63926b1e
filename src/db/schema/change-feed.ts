import { sql } from 'drizzle-orm';
import { bigint, customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tlpEnum } from './enums.js';

/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()), read as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * This instance's outbox (issue 17): one row per change of a shareable record, written in the change's
 * own transaction — a report created, revised or retracted, an observation recorded or revised, a grant
 * made or revoked. National nodes and the hub read it in pages to copy what each may see.
 *
 * The cursor is (xid, seq), and a reader is served only rows of transactions older than every
 * transaction still running (src/db/queries/change-feed.ts): a row's seq is taken when it is inserted,
 * not when its transaction commits, so paging by seq alone would step past a row committed later with a
 * smaller seq and never see it. Rows of one record come in revision order only within one transaction's
 * commit order; a reader keeps the highest revision it has seen of each record (revisions are numbered
 * by the record's write lock, so they never disagree with what happened).
 */
export const changeFeed = pgTable(
  'change_feed',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    kind: text('kind', { enum: ['REPORT', 'OBSERVATION', 'GRANT'] }).notNull(),
    recordId: uuid('record_id').notNull(),
    // The record's revision after the change (reports, observations); null for grants.
    revision: integer('revision'),
    change: text('change', { enum: ['CREATED', 'REVISED', 'RETRACTED', 'SHARED', 'REVOKED'] }).notNull(),
    // Who owns the record, and its marking after the change: enough to filter the feed per peer without
    // reading every record (the row rule still decides on the record itself).
    originOrgId: text('origin_org_id').notNull(),
    tlp: tlpEnum('tlp'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('change_feed_cursor_idx').on(t.xid, t.seq)],
);

export type ChangeFeedRow = typeof changeFeed.$inferSelect;
export type NewChange = Omit<typeof changeFeed.$inferInsert, 'seq' | 'xid' | 'occurredAt'>;
