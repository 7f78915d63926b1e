import type { Role } from '../../auth/viewer.js';

/**
 * The sample organizations and roles the development persona picker offers: one per organization kind
 * and role the policy distinguishes. Their `sub`s are people of the sample data, so the TLP:RED reports
 * written by or shared with them show up. Development only: nothing here exists for a real deployment.
 */
export interface Persona {
  id: string;
  label: string;
  /** null: no token at all (the anonymous viewer). */
  org: string | null;
  roles: Role[];
  sub?: string;
}

const member = (id: string, label: string, org: string, roles: Role[]): Persona => ({ id, label, org, roles, sub: `sample:${org}:analyst-1` });

export const PERSONAS: readonly Persona[] = [
  { id: 'anonymous', label: 'Anonymous (no token): TLP:CLEAR only', org: null, roles: [] },
  member('unodc-analyst', 'UNODC analyst (UN entity)', 'unodc', ['analyst']),
  member('sc-1267-analyst', '1267 Committee analyst (sanctions committee)', 'sc-1267', ['analyst']),
  member('sc-1988-analyst', '1988 Committee analyst (sanctions committee)', 'sc-1988', ['analyst']),
  member('monitoring-team-analyst', 'Monitoring Team analyst (supports both committees)', 'monitoring-team', ['analyst']),
  member('sco-rats-analyst', 'SCO RATS analyst (regional organization)', 'sco-rats', ['analyst']),
  member('kaz-ct-contributor', 'Kazakhstan CT agency: contributor + org-admin (member-state agency)', 'kaz-ct', ['contributor', 'org-admin']),
  member('kaz-cso-analyst', 'Kazakhstan civil society organization', 'kaz-cso', ['analyst']),
  member('expert-analyst', 'National expert group (expert)', 'expert-group', ['analyst']),
  member('unoct-auditor', 'UNOCT auditor (reads the access log)', 'unoct', ['auditor']),
  member('unrcca-network-admin', 'UNRCCA network administrator', 'unrcca', ['network-admin']),
];

export function personaById(id: string): Persona | undefined {
  return PERSONAS.find((p) => p.id === id);
}
