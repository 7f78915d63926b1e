import { describe, expect, it } from 'vitest';
import { nextStates, transitionRefusal, TRIAGE_STATES, type TriageState } from '../src/alerts/triage.js';

/** The triage state machine (src/alerts/triage.ts), every pair of states, for alerts that hold and superseded ones. */
const ALLOWED: Record<TriageState, TriageState[]> = {
  NEW: ['ACKNOWLEDGED'],
  ACKNOWLEDGED: ['IN_REVIEW'],
  IN_REVIEW: ['ESCALATED', 'DISMISSED', 'CLOSED'],
  ESCALATED: ['CLOSED'],
  DISMISSED: ['IN_REVIEW'],
  CLOSED: ['IN_REVIEW'],
};

describe('triage steps', () => {
  for (const from of TRIAGE_STATES) {
    it(`from ${from}: ${ALLOWED[from].join(', ')} while the alert holds; only CLOSED once superseded`, () => {
      expect([...nextStates(from, false)]).toEqual(ALLOWED[from]);
      for (const to of TRIAGE_STATES) {
        expect(transitionRefusal(from, to, false) === null, `${from} → ${to}`).toBe(ALLOWED[from].includes(to));
        expect(transitionRefusal(from, to, true) === null, `${from} → ${to} (superseded)`).toBe(to === 'CLOSED' && from !== 'CLOSED');
      }
    });
  }

  it('a refusal names the current state and the allowed next ones', () => {
    expect(transitionRefusal('NEW', 'CLOSED', false)).toBe("NEW → CLOSED is not a triage step; your organization's triage is NEW, its next state may be ACKNOWLEDGED");
    expect(transitionRefusal('ACKNOWLEDGED', 'ACKNOWLEDGED', false)).toBe("your organization's triage is already ACKNOWLEDGED; its next state may be IN_REVIEW");
    expect(transitionRefusal('ESCALATED', 'DISMISSED', false)).toMatch(/its next state may be CLOSED$/);
    expect(transitionRefusal('IN_REVIEW', 'NEW', false)).toMatch(/may be ESCALATED, DISMISSED or CLOSED$/);
    expect(transitionRefusal('CLOSED', 'CLOSED', true)).toMatch(/superseded.*its next state may be none$/);
  });
});
