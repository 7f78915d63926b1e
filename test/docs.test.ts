import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAccessMatrix } from '../src/auth/access-matrix.js';

describe('docs/ACCESS.md', () => {
  it('is the access matrix the policy generates (run `npm run docs:access` after a policy change)', () => {
    expect(readFileSync(new URL('../docs/ACCESS.md', import.meta.url), 'utf8')).toBe(renderAccessMatrix());
  });

  it('shows the rules as the field tests check them', () => {
    const doc = renderAccessMatrix();
    const row = (field: string) => doc.split('\n').find((line) => line.startsWith(`| \`${field}\``))!.split('|').slice(3, -1).map((c) => c.trim());
    // anonymous, UN entity, 1267, 1988, Monitoring Team, regional, agency, civil society, expert, donor, auditor, network-admin, coordinator
    expect(row('Report.sourceDescription')).toEqual(['—', '✓', '✓', '✓', '✓', 'own', 'own', 'own', 'own', 'own', 'own', 'own', '✓']);
    expect(row('Organization.focalPoint')).toEqual(['—', ...Array(12).fill('✓')]);
    expect(row('Query.auditEvents')).toEqual(['—', ...Array(9).fill('—'), '✓', '—', '—']);
    // Triage: each organization its own; the coordinators every organization's state, the notes only once escalated (per record).
    expect(row('Alert.triages')).toEqual([...Array(12).fill('—'), '✓']);
    expect(row('AlertTriage.state')).toEqual(['—', ...Array(11).fill('own'), '✓']);
    expect(row('AlertTriage.notes')).toEqual(['—', ...Array(12).fill('own')]);
    expect(row('AlertTriage.assignee')).toEqual(['—', ...Array(12).fill('own')]);
  });
});
