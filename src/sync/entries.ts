/**
 * What a page of the sync feed carries (GET /sync/v1/changes, and later the push to a peer's inbox).
 * A record entry is idempotent by (kind, id, revision): a peer keeps the highest revision it has of each
 * record, and a retraction of it (a retraction keeps the revision number, and is final).
 */

/** A grant the receiving side needs: one that admits the peer's organization to the record. */
export interface SyncGrant {
  id: string;
  organizationId: string;
  grantedAt: Date;
  /** The receiving side stops honouring it then, as the origin does, whether or not a revocation has arrived. */
  expiresAt: Date | null;
}

export interface SyncRecordEntry {
  type: 'record';
  kind: 'REPORT' | 'OBSERVATION';
  id: string;
  revision: number;
  /** The change of the feed that sent it; SHARED: a grant admitted the peer's organization to it. */
  change: string;
  tlp: string;
  /** The origin owns the record: a peer only holds a read-only copy. */
  origin: { instance: string; organization: string };
  /** Only the fields the peer's organization may read (src/sync/record-fields.ts). */
  fields: Record<string, unknown>;
  grants: SyncGrant[];
  /** Set when this tearline goes in place of its source under the peer's TEARLINE downgrade. */
  downgradedFrom?: string;
}

/** A grant that admitted the peer's organization no longer does: revoked, or expired. */
export interface SyncRevocationEntry {
  type: 'revocation';
  kind: 'REPORT' | 'OBSERVATION';
  recordId: string;
  grantId: string;
  organizationId: string;
  reason: 'REVOKED' | 'EXPIRED';
  at: Date | null;
}

/**
 * A record the peer was handed earlier and its organization may no longer have as it is (its marking
 * raised, the peer's configuration narrowed, a downgrade configured): the peer drops its copy. Sent only
 * to a peer the access log says was handed the record, so it names nothing the peer did not know.
 */
export interface SyncWithdrawalEntry {
  type: 'withdrawal';
  kind: 'REPORT' | 'OBSERVATION';
  recordId: string;
  /** The revision of the change that withdrew it, when the feed gives one. */
  revision: number | null;
}

export type SyncEntry = SyncRecordEntry | SyncRevocationEntry | SyncWithdrawalEntry;
