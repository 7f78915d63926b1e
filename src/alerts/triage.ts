/**
 * Each organization triages an alert on its own: SCO RATS acknowledging a Kazakhstan alert says nothing
 * about the Kazakh agency's work on it. An organization's triage starts NEW (no row needed) and moves
 *
 *   NEW → ACKNOWLEDGED → IN_REVIEW → ESCALATED | DISMISSED | CLOSED;  ESCALATED → CLOSED
 *
 * one step at a time, each step with a note. Reopening is allowed: DISMISSED or CLOSED → IN_REVIEW. An
 * organization's decision can be wrong or overtaken (a further report on the same condition), the alert
 * still holds, and the thread keeps the earlier decision, so reopening loses nothing; without it an
 * analyst would have no way to take the alert up again but a note nobody filters by.
 *
 * An alert that no longer holds (superseded, as the viewer may know it) leaves nothing to review: its
 * triage can only be closed, from any state but CLOSED, and is never reopened.
 */
export const TRIAGE_STATES = ['NEW', 'ACKNOWLEDGED', 'IN_REVIEW', 'ESCALATED', 'DISMISSED', 'CLOSED'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

const NEXT: Record<TriageState, readonly TriageState[]> = {
  NEW: ['ACKNOWLEDGED'],
  ACKNOWLEDGED: ['IN_REVIEW'],
  IN_REVIEW: ['ESCALATED', 'DISMISSED', 'CLOSED'],
  ESCALATED: ['CLOSED'],
  DISMISSED: ['IN_REVIEW'],
  CLOSED: ['IN_REVIEW'],
};

/** The states an organization's triage may move to next. */
export function nextStates(from: TriageState, superseded: boolean): readonly TriageState[] {
  if (superseded) return from === 'CLOSED' ? [] : ['CLOSED'];
  return NEXT[from];
}

const listed = (states: readonly string[]) =>
  states.length === 0 ? 'none' : states.length === 1 ? states[0]! : `${states.slice(0, -1).join(', ')} or ${states[states.length - 1]}`;

/** Why `from → to` is refused (null when allowed), in words that name the allowed next states. */
export function transitionRefusal(from: TriageState, to: TriageState, superseded: boolean): string | null {
  const allowed = nextStates(from, superseded);
  if (allowed.includes(to)) return null;
  const next = `its next state may be ${listed(allowed)}`;
  if (superseded) return `the alert was superseded (it no longer holds): its triage can only be closed; your organization's triage is ${from}, ${next}`;
  if (from === to) return `your organization's triage is already ${from}; ${next}`;
  return `${from} → ${to} is not a triage step; your organization's triage is ${from}, ${next}`;
}
