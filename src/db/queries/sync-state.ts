import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { auditEvents, type NewAuditEvent } from '../schema/audit.js';
import { syncDeadLetters, syncState, type SyncDeadLetterRow, type SyncStateRow } from '../schema/sync-state.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export async function syncStateOf(db: Db | Tx, peerId: string): Promise<SyncStateRow | undefined> {
  const [row] = await db.select().from(syncState).where(eq(syncState.peerId, peerId));
  return row;
}

/** The peer's row, created at its first pass: each page's transaction locks it (one pass applies a page). */
export async function ensureSyncState(db: Db, peerId: string): Promise<void> {
  await db.insert(syncState).values({ peerId }).onConflictDoNothing();
}

/** Locks the peer's row for a page's transaction and answers its cursor: one pass at a time applies a page. */
export async function lockCursor(tx: Tx, peerId: string): Promise<string | null> {
  const [row] = await tx.select({ cursor: syncState.cursor }).from(syncState).where(eq(syncState.peerId, peerId)).for('update');
  return row?.cursor ?? null;
}

/** Provenance (issue 17, item 4): the records a page brought, in our access log as the peer instance's write. */
export async function recordReceipt(tx: Tx, actor: Pick<NewAuditEvent, 'actorSub' | 'actorOrgId'>, reportIds: readonly string[], observationIds: readonly string[]): Promise<void> {
  if (!reportIds.length && !observationIds.length) return;
  await tx.insert(auditEvents).values({ kind: 'WRITE', ...actor, action: 'sync.receive', reportIds: [...new Set(reportIds)], observationIds: [...new Set(observationIds)] });
}

/** The page is applied: its cursor, written in the page's own transaction (no gap, no duplicate after a crash). */
export async function advanceCursor(tx: Tx, peerId: string, cursor: string | null): Promise<void> {
  const values = { cursor, lastSuccessAt: sql`now()`, consecutiveFailures: 0, nextAttemptAt: null, lastError: null };
  await tx
    .insert(syncState)
    .values({ peerId, ...values })
    .onConflictDoUpdate({ target: syncState.peerId, set: values });
}

/** A pass failed: one more failure, and no new attempt before `nextAttemptAt` (the back-off). */
export async function recordFailure(db: Db, peerId: string, error: string, backoffMs: (failures: number) => number): Promise<SyncStateRow> {
  const failures = ((await syncStateOf(db, peerId))?.consecutiveFailures ?? 0) + 1;
  const values = { consecutiveFailures: failures, nextAttemptAt: new Date(Date.now() + backoffMs(failures)), lastError: error.slice(0, 2000) };
  const [row] = await db
    .insert(syncState)
    .values({ peerId, ...values })
    .onConflictDoUpdate({ target: syncState.peerId, set: values })
    .returning();
  return row!;
}

/**
 * Sets where the next pass starts: null starts the peer's feed over (a full copy again: applying is
 * idempotent); a cursor the peer gave starts after it (a node that needs only what is new).
 */
export async function setCursor(db: Db, peerId: string, cursor: string | null): Promise<void> {
  await db.insert(syncState).values({ peerId, cursor }).onConflictDoUpdate({ target: syncState.peerId, set: { cursor } });
}

export async function addDeadLetter(tx: Tx, peerId: string, entry: Record<string, unknown>, reason: string, pageAfter: string | null): Promise<void> {
  await tx.insert(syncDeadLetters).values({ peerId, entry, reason: reason.slice(0, 2000), pageAfter });
}

/**
 * The dead letters, newest first, read by a network-admin (GraphQL) or the CLI's operator: the entries
 * hold records of other instances, so the read is in the audit log (kind READ, action syncDeadLetters).
 */
export async function readDeadLetters(db: Db, actor: Pick<NewAuditEvent, 'actorSub' | 'actorOrgId'>, peerId: string | null, limit: number): Promise<SyncDeadLetterRow[]> {
  return db.transaction(async (tx) => {
    const query = tx.select().from(syncDeadLetters);
    const rows = await (peerId ? query.where(eq(syncDeadLetters.peerId, peerId)) : query).orderBy(desc(syncDeadLetters.receivedAt)).limit(limit);
    await tx.insert(auditEvents).values({ kind: 'READ', ...actor, action: 'syncDeadLetters', reason: `${rows.length} dead letter(s)${peerId ? ` of the peer "${peerId}"` : ''}` });
    return rows;
  });
}
