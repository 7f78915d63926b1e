import { char, pgTable, text } from 'drizzle-orm/pg-core';
import { countryRoleEnum } from './enums.js';

export const countries = pgTable('countries', {
  iso3: char('iso3', { length: 3 }).primaryKey(),
  iso2: char('iso2', { length: 2 }).notNull().unique(),
  nameEn: text('name_en').notNull(),
  nameRu: text('name_ru').notNull(),
  role: countryRoleEnum('role').notNull(),
});

export type CountryRow = typeof countries.$inferSelect;
