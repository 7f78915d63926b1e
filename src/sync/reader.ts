import type { OrganizationReader } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { organizationForViewer } from '../db/queries/organizations.js';

/** The peer's organization is gone or inactive here: nothing goes to the peer until an admin repoints it. */
export class InactiveOrganizationError extends Error {}

/**
 * The organization a peer instance acts for, as the row rule and the field policy read it: its kind,
 * country and parents from the database, as a person's viewer is built (src/auth/authenticate.ts), but no
 * person and no role. An organization that is not active receives nothing, as its members could read nothing.
 */
export async function organizationReader(db: Db, organizationId: string): Promise<OrganizationReader> {
  const org = await organizationForViewer(db, organizationId);
  if (!org || !org.active) throw new InactiveOrganizationError(`the organization "${organizationId}" this peer acts for is not an active organization here`);
  return {
    kind: 'organization',
    organizationId,
    organizationKind: org.kind,
    organizationCountry: org.countryIso3,
    parentOrganizationIds: org.parentIds,
    coordinatesNetwork: org.coordinatesNetwork,
  };
}
