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

/**
 * An organization as a whole, with no person and no role: what a peer instance acting for it may receive
 * is what this reader may see (issue 17). Deliberately not a member of `Viewer`: the GraphQL context
 * cannot hold one, so no query, mutation or export runs as it; the row rule and the field policy take it
 * beside a viewer (`Reader`). With no person, TLP:RED (shared with named persons only) never reaches it.
 */
export interface OrganizationReader {
  kind: 'organization';
  organizationId: string;
  organizationKind: string;
  organizationCountry: string | null;
  parentOrganizationIds: readonly string[];
  coordinatesNetwork: boolean;
}

/** Whoever the row rule and the field policy decide for: a request's viewer, or an organization as a whole. */
export type Reader = Viewer | OrganizationReader;
