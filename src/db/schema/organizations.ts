import { boolean, char, index, pgTable, primaryKey, text, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';
import { organizationKindEnum } from './enums.js';

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    acronym: text('acronym').notNull(),
    nameEn: text('name_en').notNull(),
    nameRu: text('name_ru').notNull(),
    kind: organizationKindEnum('kind').notNull(),
    countryIso3: char('country_iso3', { length: 3 }).references(() => countries.iso3),
    focalPointName: text('focal_point_name'),
    focalPointEmail: text('focal_point_email'),
    active: boolean('active').notNull().default(true),
    // The network is run jointly by UNRCCA and UNOCT: its coordinators read every organization's triage
    // state of the alerts they see (src/auth/policy.ts). Reference data, like kind and parents.
    coordinatesNetwork: boolean('coordinates_network').notNull().default(false),
  },
  (t) => [index('organizations_kind_idx').on(t.kind), index('organizations_country_idx').on(t.countryIso3)],
);

/**
 * An organization may support several others (the Monitoring Team supports both sanctions committees),
 * so "parent" is a relation, not a column. Under TLP:AMBER a grant to a parent also reaches its clients.
 */
export const organizationParents = pgTable(
  'organization_parents',
  {
    organizationId: text('organization_id')
      .notNull()
      .references((): AnyPgColumn => organizations.id),
    parentId: text('parent_id')
      .notNull()
      .references((): AnyPgColumn => organizations.id),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.parentId] }), index('organization_parents_parent_idx').on(t.parentId)],
);

export type OrganizationRow = typeof organizations.$inferSelect;
