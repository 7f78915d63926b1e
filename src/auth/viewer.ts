/** Roles a token may carry (claim `roles`). */
export const ROLES = ['analyst', 'contributor', 'org-admin', 'auditor', 'network-admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AnonymousViewer {
  kind: 'anonymous';
}

/**
 * An authenticated person or system of a member organization. The organization's kind and parents come
 * from the database, never from the token.
 */
export interface MemberViewer {
  kind: 'member';
  sub: string;
  organizationId: string;
  organizationKind: string;
  /** The country of a national body (member-state agency, civil society), else null. */
  organizationCountry: string | null;
  /** Organizations this one supports: under TLP:AMBER, a grant to a parent reaches its clients. */
  parentOrganizationIds: readonly string[];
  /** Whether the organization is one of the network's coordinators (UNRCCA, UNOCT): organizations.coordinates_network. */
  coordinatesNetwork: boolean;
  roles: readonly Role[];
}

export type Viewer = AnonymousViewer | MemberViewer;

export const anonymousViewer: AnonymousViewer = Object.freeze({ kind: 'anonymous' });
