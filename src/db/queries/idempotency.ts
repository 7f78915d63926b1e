import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { ApiError, ErrorCode } from '../../errors.js';
import type { Db } from '../database.js';
import { idempotencyKeys } from '../schema/alerts.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;
export type IdempotentAnswer = Partial<Pick<IdempotencyRecord, 'observationIds' | 'alertIds' | 'reportIds'>>;

/** What a key stands for: the operation and its whole input, so the same key with other data is told apart. */
export function hashRequest(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update('\0').update(JSON.stringify(input)).digest('hex');
}

/**
 * Claims an organization's idempotency key as the transaction's first write. Returns null when this call
 * claimed it (write, then completeIdempotencyKey), or the earlier answer when the same request came before
 * (a retry after a lost response: write nothing). The same key with another request is a CONFLICT, so a
 * reused key never silently drops new data. A concurrent twin waits on the key's row and then replays.
 */
export async function claimIdempotencyKey(tx: Tx, organizationId: string, key: string, requestHash: string, what: string): Promise<IdempotencyRecord | null> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ organizationId, key, requestHash, observationIds: [], alertIds: [], reportIds: [] })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return null;
  const [earlier] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.organizationId, organizationId), eq(idempotencyKeys.key, key)));
  if (earlier!.requestHash !== requestHash) {
    throw new ApiError(ErrorCode.CONFLICT, `This idempotency key was used for a different ${what}; use a new key for new data`, { field: 'idempotencyKey' });
  }
  return earlier!;
}

/** Keeps the answer under the key, in the same transaction as the write it answers. */
export async function completeIdempotencyKey(tx: Tx, organizationId: string, key: string, answer: IdempotentAnswer): Promise<void> {
  await tx.update(idempotencyKeys).set(answer).where(and(eq(idempotencyKeys.organizationId, organizationId), eq(idempotencyKeys.key, key)));
}
