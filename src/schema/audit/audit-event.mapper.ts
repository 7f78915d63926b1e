import type { AuditEventRow } from '../../db/schema/audit.js';
import { AuditEvent } from './audit-event.type.js';

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return Object.assign(new AuditEvent(), {
    id: String(row.id),
    occurredAt: row.occurredAt,
    kind: row.kind,
    actorSub: row.actorSub,
    actorOrganizationId: row.actorOrgId,
    operationName: row.operationName,
    documentHash: row.documentHash,
    action: row.action,
    reason: row.reason,
    reportIds: row.reportIds,
    observationIds: row.observationIds,
    grantIds: row.grantIds,
    alertIds: row.alertIds,
    fields: row.fields,
    deniedFields: row.deniedFields,
  });
}
