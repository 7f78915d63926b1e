import type { PeerViewer } from '../auth/instance-token.js';
import type { OrganizationReader } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { appendAuditEvents } from '../db/queries/audit.js';
import { findPeer } from '../db/queries/peers.js';
import { accessEntry } from './access.js';
import { egressPage } from './egress.js';
import type { SyncEntry } from './entries.js';
import { InactiveOrganizationError, organizationReader } from './reader.js';

/** A pull refused for what the peer is, not for its token: 403, with a message for its administrator. */
export class PullForbidden extends Error {}

export interface PullAnswer {
  /** This instance (the origin of every record in the page). */
  instance: string;
  peer: string;
  entries: SyncEntry[];
  /** Give it as `after` to read on; the same cursor again gives the same entries (resumable). */
  next: string | null;
  more: boolean;
}

export const DEFAULT_PULL_LIMIT = 100;

/**
 * One page of our change feed for a peer that pulls (direction PULL or BOTH): what its organization may
 * have of each change (egress.ts). The access-log entry is written before the page is answered, so
 * nothing leaves unrecorded: if it cannot be written, the peer gets an error and reads the page again.
 */
export async function pullChanges(db: Db, instanceId: string, caller: PeerViewer, after: string | null, limit: number): Promise<PullAnswer> {
  const peer = await findPeer(db, caller.peerId);
  if (!peer || peer.disabledAt) throw new PullForbidden(`the peer "${caller.peerId}" is disabled here`);
  if (peer.direction === 'PUSH') throw new PullForbidden(`the peer "${peer.id}" is configured for PUSH: we send to its inbox, it does not read our feed`);
  let reader: OrganizationReader;
  try {
    reader = await organizationReader(db, peer.organizationId);
  } catch (error) {
    if (error instanceof InactiveOrganizationError) throw new PullForbidden(error.message);
    throw error;
  }
  const page = await egressPage(db, instanceId, peer, reader, after, limit);
  const { reportIds, observationIds, grantIds } = page.handedOut;
  if (reportIds.size + observationIds.size + grantIds.size > 0) await appendAuditEvents(db, [accessEntry(peer, page.handedOut)]);
  return { instance: instanceId, peer: peer.id, entries: page.entries, next: page.next, more: page.more };
}
