import type { CountryRow } from '../../db/schema/countries.js';
import type { CountryRole } from '../common/enums.js';
import { Country } from './country.type.js';

export function toCountry(row: CountryRow): Country {
  return Object.assign(new Country(), {
    iso3: row.iso3,
    iso2: row.iso2,
    role: row.role as CountryRole,
    names: { en: row.nameEn, ru: row.nameRu },
  });
}

/** The countries a batch lookup found, in its order (a code the reference data lacks is left out). */
export function toCountries(rows: readonly (CountryRow | null | Error)[]): Country[] {
  return rows.flatMap((row) => (row && !(row instanceof Error) ? [toCountry(row)] : []));
}
