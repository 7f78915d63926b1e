import type { OrganizationRow } from '../../db/schema/organizations.js';
import type { OrganizationKind } from '../common/enums.js';
import { FocalPoint, Organization } from './organization.type.js';

export function toOrganization(row: OrganizationRow): Organization {
  const focalPoint = row.focalPointName
    ? Object.assign(new FocalPoint(), { name: row.focalPointName, email: row.focalPointEmail })
    : null;
  return Object.assign(new Organization(), {
    id: row.id,
    acronym: row.acronym,
    kind: row.kind as OrganizationKind,
    active: row.active,
    focalPoint,
    names: { en: row.nameEn, ru: row.nameRu },
    countryIso3: row.countryIso3,
  });
}
