import { bigint, char, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { countryRoleEnum } from './enums.js';

export const countries = pgTable('countries', {
  iso3: char('iso3', { length: 3 }).primaryKey(),
  iso2: char('iso2', { length: 2 }).notNull().unique(),
  nameEn: text('name_en').notNull(),
  nameRu: text('name_ru').notNull(),
  role: countryRoleEnum('role').notNull(),
});

export type CountryRow = typeof countries.$inferSelect;

/*
 * Reference data: a country's population in a year, with where the figure comes from. Rates per 100,000
 * (src/alerts/levels.ts) divide by the figure of the period's year, or the nearest year before it (the
 * latest estimate known), or the earliest after it when none is before.
 */
export const countryPopulations = pgTable(
  'country_populations',
  {
    countryIso3: char('country_iso3', { length: 3 })
      .notNull()
      .references(() => countries.iso3),
    year: integer('year').notNull(),
    population: bigint('population', { mode: 'number' }).notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.countryIso3, t.year] })],
);

export type CountryPopulationRow = typeof countryPopulations.$inferSelect;
