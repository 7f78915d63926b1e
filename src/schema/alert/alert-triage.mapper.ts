import type { TriageState as State } from '../../alerts/triage.js';
import { nextStates } from '../../alerts/triage.js';
import type { AlertTriageNoteRow } from '../../db/schema/alert-triage.js';
import { AlertTriage, AlertTriageNote, type TriageState } from './alert-triage.type.js';

/** An organization's triage as stored; no row is a NEW triage nobody has touched. */
export interface TriageSource {
  alertId: string;
  organizationId: string;
  state: State | null;
  assigneeSub: string | null;
  updatedAt: Date | null;
  escalatedAt: Date | null;
}

/** `superseded`: as the viewer may know it (a superseded alert's triage can only be closed). */
export function toAlertTriage(source: TriageSource, superseded: boolean): AlertTriage {
  const state = source.state ?? 'NEW';
  return Object.assign(new AlertTriage(), {
    alertId: source.alertId,
    organizationId: source.organizationId,
    state: state as TriageState,
    nextStates: [...nextStates(state, superseded)] as TriageState[],
    assignee: source.assigneeSub,
    updatedAt: source.updatedAt,
    escalatedAt: source.escalatedAt,
  });
}

export function toAlertTriageNote(row: AlertTriageNoteRow): AlertTriageNote {
  return Object.assign(new AlertTriageNote(), {
    text: row.body,
    writtenAt: row.writtenAt,
    state: row.state as TriageState | null,
    author: row.authorSub,
    organizationId: row.organizationId,
  });
}
