import { anonymousViewer, type Viewer } from '../../src/auth/viewer.js';
import type { ReferenceData } from '../../src/db/reference.js';
import { PERSONAS, type PersonaName } from './tokens.js';

/** The viewer the API builds for a persona's token (src/auth/authenticate.ts), from the same reference data. */
export function viewerFor(reference: ReferenceData, persona: PersonaName): Viewer {
  const claims = PERSONAS[persona];
  if (!claims) return anonymousViewer;
  const org = reference.organizationById.get(claims.org)!;
  return {
    kind: 'member',
    sub: claims.sub,
    organizationId: org.id,
    organizationKind: org.kind,
    organizationCountry: org.countryIso3,
    parentOrganizationIds: [...(reference.parentsOf.get(org.id) ?? [])],
    coordinatesNetwork: org.coordinatesNetwork,
    roles: [...claims.roles],
  };
}
