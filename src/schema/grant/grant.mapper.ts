import type { GrantRow } from '../../db/schema/grants.js';
import { Grant } from './grant.type.js';

export function toGrant(row: GrantRow, now = new Date()): Grant {
  return Object.assign(new Grant(), {
    id: row.id,
    reportId: row.reportId,
    observationId: row.observationId,
    organizationId: row.granteeOrgId ?? row.granteePersonOrgId,
    person: row.granteeSub,
    purpose: row.purpose,
    expiresAt: row.expiresAt,
    grantedBy: row.grantedBySub,
    grantedByOrganizationId: row.grantedByOrgId,
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
    active: !row.revokedAt && (!row.expiresAt || row.expiresAt > now),
  });
}
