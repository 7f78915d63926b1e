import { char, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { countries } from './countries.js';

/**
 * A role countries share that an indicator can be declared for, e.g. the states bordering Afghanistan
 * (a country has one role in the network, `countries.role`, but may hold several of these). Reference
 * data like the countries themselves: seeded, changed by an operator's SQL, read through the reference
 * snapshot; which countries hold a role is the members table, never code.
 */
export const countryGroups = pgTable('country_groups', {
  code: text('code').primaryKey(),
  nameEn: text('name_en').notNull(),
  nameRu: text('name_ru').notNull(),
});

export const countryGroupMembers = pgTable(
  'country_group_members',
  {
    groupCode: text('group_code')
      .notNull()
      .references(() => countryGroups.code, { onDelete: 'cascade' }),
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
  },
  (t) => [primaryKey({ columns: [t.groupCode, t.countryIso3] }), index('country_group_members_country_idx').on(t.countryIso3, t.groupCode)],
);

export type CountryGroupRow = typeof countryGroups.$inferSelect;
