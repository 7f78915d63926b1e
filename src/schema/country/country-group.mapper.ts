import type { DeclaredGroup } from '../../db/applicability.js';
import { CountryGroup } from './country-group.type.js';

export function toCountryGroup(group: DeclaredGroup): CountryGroup {
  return Object.assign(new CountryGroup(), { code: group.code, names: { en: group.nameEn, ru: group.nameRu }, memberCodes: group.countries });
}
