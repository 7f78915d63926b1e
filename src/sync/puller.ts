import type { InstanceIdentity } from '../auth/instance-identity.js';
import { signInstanceToken } from '../auth/instance-token.js';
import type { Db } from '../db/database.js';
import { CopyRefused } from '../db/queries/copies.js';
import { findPeer } from '../db/queries/peers.js';
import { addDeadLetter, advanceCursor, ensureSyncState, lockCursor, recordFailure, recordReceipt, setCursor, syncStateOf } from '../db/queries/sync-state.js';
import type { PeerRow } from '../db/schema/peers.js';
import { peerActorSub } from './access.js';
import { applyEntry } from './apply.js';

/**
 * The pull client (issue 17, item 3): reads a peer's change feed (GET {baseUrl}/sync/v1/changes) page by
 * page, with an instance token we sign for the peer's INSTANCE_ID, and applies each page to our copies in
 * ONE transaction together with the new cursor (sync_state): a crash at any point leaves either the page
 * and its cursor, or neither, so the next pass resumes with no gap and no duplicate. An entry that cannot
 * be applied goes to the dead letters and the feed goes on; a page that cannot be read or written fails
 * the pass, which counts a failure and backs off exponentially.
 *
 * Direction, read the same way on both sides: a peer row says how records travel between us and that
 * instance. We pull from a peer whose row here says PULL or BOTH; the peer lets us read its feed when its
 * row for us says PULL or BOTH (it answers 403 otherwise).
 */

export const PULL_PAGE_LIMIT = 100;
/** Back-off after the n-th failure in a row: 30 s, 1 min, 2 min, … at most an hour. */
export const backoffMs = (failures: number) => Math.min(30_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
const FETCH_TIMEOUT_MS = 30_000;

export interface PullerDeps {
  db: Db;
  identity: InstanceIdentity;
}

export interface PulledFeedPage {
  instance: string;
  entries: Record<string, unknown>[];
  next: string | null;
  more: boolean;
}

export interface PullOptions {
  limit?: number;
  /** Start the peer's feed over (a full copy again; applying is idempotent). */
  fromStart?: boolean;
  /** Called inside a page's transaction, before its cursor is written: lets a test fail a page there. */
  beforeCommit?: (page: PulledFeedPage) => void | Promise<void>;
}

export interface PullSummary {
  pages: number;
  written: number;
  unchanged: number;
  deadLetters: number;
  cursor: string | null;
}

/** A pass that stopped: the message is for the operator; the failure is counted in sync_state. */
export class PullFailed extends Error {}
/** Another pass (another process) applied the page first: this one stops, and nothing failed. */
export class ConcurrentPass extends PullFailed {}

/** Errors of the data an entry carries (a constraint it breaks, a value of the wrong form): the entry's fault, not the pass's. */
function isEntryFault(error: unknown): boolean {
  if (error instanceof CopyRefused) return true;
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23]/.test(code)) return true;
  }
  return false;
}

const messageOf = (error: unknown) => (error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error));

async function fetchPage(deps: PullerDeps, peer: PeerRow, after: string | null, limit: number): Promise<PulledFeedPage> {
  const url = new URL(`${peer.baseUrl.replace(/\/+$/, '')}/sync/v1/changes`);
  if (after) url.searchParams.set('after', after);
  url.searchParams.set('limit', String(limit));
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${await signInstanceToken(deps.identity, peer.id)}`, accept: 'application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => null)) as (Partial<PulledFeedPage> & { errors?: { message?: string }[] }) | null;
  if (!response.ok) throw new PullFailed(`the peer "${peer.id}" answered ${response.status}: ${body?.errors?.[0]?.message ?? 'no message'}`);
  if (!body || !Array.isArray(body.entries) || typeof body.more !== 'boolean' || (body.next !== null && typeof body.next !== 'string')) {
    throw new PullFailed(`the peer "${peer.id}" answered something that is not a page of its feed`);
  }
  if (body.instance !== peer.id) throw new PullFailed(`the instance at ${peer.baseUrl} says it is "${String(body.instance)}", not "${peer.id}"`);
  return body as PulledFeedPage;
}

/** Applies a page and its cursor in one transaction; another pass that moved the cursor meanwhile wins. */
async function applyPage(deps: PullerDeps, peer: PeerRow, after: string | null, page: PulledFeedPage, options: PullOptions, summary: PullSummary): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if ((await lockCursor(tx, peer.id)) !== after) throw new ConcurrentPass(`another pass of the peer "${peer.id}" moved its cursor meanwhile; this one stops`);
    const reportIds: string[] = [];
    const observationIds: string[] = [];
    let written = 0;
    let unchanged = 0;
    let dead = 0;
    for (const entry of page.entries) {
      try {
        // A savepoint per entry: a refused one is undone alone, and the rest of the page is applied.
        const outcome = await tx.transaction((savepoint) => applyEntry(savepoint, peer.id, entry));
        if (outcome === 'WRITTEN') written += 1;
        else unchanged += 1;
        const id = String(entry.id ?? entry.recordId);
        (entry.kind === 'OBSERVATION' ? observationIds : reportIds).push(id);
      } catch (error) {
        if (!isEntryFault(error)) throw error;
        await addDeadLetter(tx, peer.id, entry, messageOf(error), after);
        dead += 1;
      }
    }
    await recordReceipt(tx, { actorSub: peerActorSub(peer.id), actorOrgId: peer.organizationId }, reportIds, observationIds);
    await options.beforeCommit?.(page);
    await advanceCursor(tx, peer.id, page.next ?? after);
    summary.written += written;
    summary.unchanged += unchanged;
    summary.deadLetters += dead;
  });
}


/**
 * One pass: pulls pages from the peer until its feed says there is no more now. Any failure (the peer
 * unreachable or refusing, a page that cannot be written) is counted with its back-off and thrown as
 * PullFailed; what was applied before it stays, with its cursor.
 */
export async function pullFromPeer(deps: PullerDeps, peerId: string, options: PullOptions = {}): Promise<PullSummary> {
  const peer = await findPeer(deps.db, peerId);
  if (!peer) throw new PullFailed(`no peer "${peerId}" is registered here`);
  if (peer.disabledAt) throw new PullFailed(`the peer "${peerId}" is disabled here`);
  if (peer.direction === 'PUSH') throw new PullFailed(`the peer "${peerId}" is configured for PUSH here: set PULL or BOTH to pull from it`);
  await ensureSyncState(deps.db, peer.id);
  if (options.fromStart) await setCursor(deps.db, peer.id, null);
  const summary: PullSummary = { pages: 0, written: 0, unchanged: 0, deadLetters: 0, cursor: (await syncStateOf(deps.db, peer.id))?.cursor ?? null };
  try {
    for (;;) {
      const page = await fetchPage(deps, peer, summary.cursor, options.limit ?? PULL_PAGE_LIMIT);
      await applyPage(deps, peer, summary.cursor, page, options, summary);
      summary.pages += 1;
      summary.cursor = page.next ?? summary.cursor;
      if (!page.more) return summary;
    }
  } catch (error) {
    if (error instanceof ConcurrentPass) throw error;
    const state = await recordFailure(deps.db, peer.id, messageOf(error), backoffMs);
    throw new PullFailed(`pulling from "${peer.id}" failed (${state.consecutiveFailures} in a row, next attempt after ${state.nextAttemptAt?.toISOString()}): ${messageOf(error)}`, { cause: error });
  }
}
