import type { PeerRow } from '../../db/schema/peers.js';
import type { Tlp } from '../common/enums.js';
import { Peer, type PeerDirection, type PeerDowngrade, type SyncRecordKind } from './peer.type.js';

export function toPeer(row: PeerRow): Peer {
  return Object.assign(new Peer(), {
    id: row.id,
    baseUrl: row.baseUrl,
    organizationId: row.organizationId,
    jwks: JSON.stringify(row.jwks),
    keyIds: row.jwks.keys.map((k) => String(k.kid ?? '')),
    direction: row.direction as PeerDirection,
    allowedMarkings: row.allowedMarkings as Tlp[],
    allowedKinds: row.allowedKinds as SyncRecordKind[],
    allowedCountries: row.allowedCountries,
    downgrade: row.downgrade as PeerDowngrade,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    disabled: row.disabledAt !== null,
    disabledAt: row.disabledAt,
  });
}
