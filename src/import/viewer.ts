import { mayContribute } from '../auth/policy.js';
import { ROLES, type MemberViewer, type Role } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { organizationForViewer } from '../db/queries/organizations.js';

/** Why the command may not act as the person it was asked to: a usage error, nothing is read or written. */
export class ImportUsageError extends Error {}

export function parseRoles(text: string): Role[] {
  const roles = text.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new ImportUsageError(`--roles: ${unknown.length ? `unknown role(s) ${unknown.join(', ')}` : 'none given'} (roles: ${ROLES.join(', ')})`);
  }
  return roles as Role[];
}

/**
 * The member the import acts as, built like a request's viewer (src/auth/authenticate.ts): the
 * organization's kind, country and parents come from the database, and an unknown or inactive
 * organization is refused. The same write rules then apply as to the recordObservations mutation.
 */
export async function importViewer(db: Db, who: { org: string; sub: string; roles: readonly Role[] }): Promise<MemberViewer> {
  const org = await organizationForViewer(db, who.org);
  if (!org || !org.active) throw new ImportUsageError(`--org: "${who.org}" is not an active organization of the network`);
  const viewer: MemberViewer = {
    kind: 'member',
    sub: who.sub,
    organizationId: who.org,
    organizationKind: org.kind,
    organizationCountry: org.countryIso3,
    parentOrganizationIds: org.parentIds,
    coordinatesNetwork: org.coordinatesNetwork,
    roles: [...who.roles],
  };
  if (!mayContribute(viewer)) throw new ImportUsageError('--roles: recording observations needs the contributor role');
  return viewer;
}
