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
