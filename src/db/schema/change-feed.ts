import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tlpEnum } from './enums.js';

/**
 * This instance's outbox: one row per change of a shareable record, written in the change's own
 * transaction — a report created, revised or retracted, an observation recorded or revised, a grant made
 * or revoked. National nodes read it to copy what each may see (issue 17), and the TAXII collections are
 * served from it (issue 16): a record's `date_added` is the publication stamp of its latest change.
 *
 * Why a publication stamp rather than seq or a write time: both are taken before the writing transaction
 * commits, so a transaction that commits late lands behind a reader that has already paged past it, and
 * the reader never sees it. `published_at` is stamped only on committed rows, by one publisher at a time
 * (src/db/queries/change-feed.ts, publishChanges), each stamp later than every stamp already committed: a
 * reader that pages on by `published_at` can never step over a row that becomes visible after it read.
 * Stamps are distinct (a microsecond apart within a batch), so `added_after` equal to the last stamp a
 * client saw is an exact position, whether it pages with `next` or with the date headers.
 */
export const changeFeed = pgTable(
  'change_feed',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind', { enum: ['REPORT', 'OBSERVATION', 'GRANT'] }).notNull(),
    recordId: uuid('record_id').notNull(),
    // The record whose content or readership changed: the record itself, or the one a grant is on.
    subjectKind: text('subject_kind', { enum: ['REPORT', 'OBSERVATION'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    // The record's revision after the change (reports, observations); null for grants.
    revision: integer('revision'),
    change: text('change', { enum: ['CREATED', 'REVISED', 'RETRACTED', 'SHARED', 'REVOKED'] }).notNull(),
    // Who owns the record, and its marking after the change: enough to filter the feed per peer without
    // reading every record (the row rule still decides on the record itself).
    originOrgId: text('origin_org_id').notNull(),
    tlp: tlpEnum('tlp'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // Null until the publisher has seen the row committed.
    publishedAt: timestamp('published_at', { withTimezone: true, precision: 6, mode: 'string' }),
  },
  (t) => [
    uniqueIndex('change_feed_published_idx').on(t.publishedAt),
    // A collection walks one kind of record's entries in stamp order.
    index('change_feed_kind_published_idx').on(t.subjectKind, t.publishedAt),
    index('change_feed_pending_idx').on(t.seq).where(sql`${t.publishedAt} is null`),
    index('change_feed_subject_idx').on(t.subjectKind, t.subjectId, t.publishedAt),
  ],
);

export type ChangeFeedRow = typeof changeFeed.$inferSelect;

type Common = Omit<typeof changeFeed.$inferInsert, 'seq' | 'occurredAt' | 'publishedAt' | 'subjectKind' | 'subjectId' | 'kind'>;
/** A change to write: a report's or observation's own, or a grant's, which names the record it is on. */
export type NewChange =
  | (Common & { kind: 'REPORT' | 'OBSERVATION' })
  | (Common & { kind: 'GRANT'; subject: { kind: 'REPORT' | 'OBSERVATION'; id: string } });
