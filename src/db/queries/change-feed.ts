import { asc, sql } from 'drizzle-orm';
import { badInput } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../../schema/common/cursor.js';
import type { Db } from '../database.js';
import { changeFeed, type ChangeFeedRow, type NewChange } from '../schema/change-feed.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Writes the changes into the outbox, in the caller's transaction (so a change and its entry commit together). */
export async function recordChanges(tx: Tx, changes: readonly NewChange[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 1000) await tx.insert(changeFeed).values(changes.slice(i, i + 1000));
}

const CURSOR = 'feed';
const XID = /^\d{1,20}$/;

export interface ChangePage {
  changes: ChangeFeedRow[];
  /** Where the next read starts: the last change served, or the cursor given when none was. */
  next: string | null;
}

/**
 * A page of changes after `after` (null: from the start), in (xid, seq) order, of transactions that
 * ended before any transaction still running began (xid < the snapshot's xmin). A change whose
 * transaction is still open is held back, and so is every later one, so a reader that pages on never
 * steps over a change that commits after it has read past its seq. Index-served (change_feed_cursor_idx).
 * Transaction ids are the server's, not the database's: a transaction left open anywhere on the server
 * delays the feed (never loses from it) until it ends, which idle_in_transaction_session_timeout bounds.
 */
export async function readChanges(db: Db, after: string | null, limit: number): Promise<ChangePage> {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw badInput('limit must be 1 to 1000', 'limit');
  let position = sql`true`;
  if (after) {
    const [xid, seq] = decodeCursor(CURSOR, after, ['string', 'integer']) as [string, number];
    if (!XID.test(xid)) throw badInput('The `after` cursor is not valid for this feed', 'after');
    position = sql`(${changeFeed.xid}, ${changeFeed.seq}) > (${xid}::xid8, ${seq}::bigint)`;
  }
  const changes = await db
    .select()
    .from(changeFeed)
    .where(sql`${position} and ${changeFeed.xid} < pg_snapshot_xmin(pg_current_snapshot())`)
    .orderBy(asc(changeFeed.xid), asc(changeFeed.seq))
    .limit(limit);
  const last = changes.at(-1);
  return { changes, next: last ? encodeCursor(CURSOR, [last.xid, last.seq]) : after };
}
