import { asc } from 'drizzle-orm';
import type { Db } from '../database.js';
import { countries, type CountryRow } from '../schema/countries.js';

export function listCountries(db: Db): Promise<CountryRow[]> {
  return db.select().from(countries).orderBy(asc(countries.iso3));
}

