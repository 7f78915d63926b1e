import type { NewAuditEvent, RecordFields } from '../db/schema/audit.js';
import type { PeerRow } from '../db/schema/peers.js';
import type { HandedOut } from './egress.js';

/** How the access log names a peer instance: never a person, so never a bare `sub` a token could carry. */
export const peerActorSub = (peerId: string) => `instance:${peerId}`;
/** The access log's name for a page handed to a pulling peer. */
export const PULL_OPERATION = 'sync.pull';

/**
 * The access-log entry of a page handed to a peer (issue 17, item 4): who is the peer instance (and the
 * organization it acts for), what is every record sent (CLEAR ones too: a copy left the instance), the
 * grants named, and the restricted fields by record, as GraphQL reads record them.
 */
export function accessEntry(peer: PeerRow, handedOut: HandedOut): NewAuditEvent {
  const recordFields: RecordFields = {};
  for (const [id, fields] of handedOut.restrictedByRecord) if (fields.length) recordFields[id] = { fields };
  return {
    kind: 'READ',
    actorSub: peerActorSub(peer.id),
    actorOrgId: peer.organizationId,
    operationName: PULL_OPERATION,
    reportIds: [...handedOut.reportIds],
    observationIds: [...handedOut.observationIds],
    grantIds: [...handedOut.grantIds],
    originOrgIds: [...handedOut.originOrgIds],
    fields: [...new Set([...handedOut.restrictedByRecord.values()].flat())],
    recordFields,
  };
}

