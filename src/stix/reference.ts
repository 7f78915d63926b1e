import type { Applicability } from '../db/applicability.js';
import type { CountryRow } from '../db/schema/countries.js';
import type { IndicatorRow } from '../db/schema/indicators.js';
import type { OrganizationRow } from '../db/schema/organizations.js';
import { INDICATOR_TYPE, NETWORK_IDENTITY_ID, REFERENCE_EPOCH, SERIES_EXTENSION_ID } from './extensions.js';
import { stixId } from './ids.js';
import { tlpMarkingId } from './markings.js';

/**
 * Reference data (organizations, countries, indicator definitions) as STIX objects. It is public in the
 * policy (Country, CountryGroup and Indicator are PUBLIC; of Organization only focalPoint is not, and it is
 * never mapped), so these objects are TLP:CLEAR.
 */
export type StixObject = Record<string, unknown> & { type: string; id: string };

const kebab = (value: string) => value.toLowerCase().replace(/_/g, '-');

export const identityIdOf = (organizationId: string) => stixId('identity', 'organization', organizationId);
export const locationIdOf = (iso3: string) => stixId('location', 'country', iso3);
export const indicatorIdOf = (code: string) => stixId(INDICATOR_TYPE, 'indicator', code);

const common = () => ({ spec_version: '2.1', created: REFERENCE_EPOCH, modified: REFERENCE_EPOCH, object_marking_refs: [tlpMarkingId('CLEAR')] });

export function networkIdentity(): StixObject {
  return {
    type: 'identity',
    id: NETWORK_IDENTITY_ID,
    ...common(),
    name: 'Counter-Terrorism Early Warning Network for Central Asia (CT-EWN)',
    description: 'Run jointly by UNRCCA and UNOCT. Creator of the network\'s reference objects and STIX extension definitions.',
    identity_class: 'group',
  };
}

/** industry-sector-ov (STIX 2.1 §10.12) for each kind of organization; experts have no sector. */
const SECTORS: Record<string, string[]> = {
  UN_ENTITY: ['government'],
  SANCTIONS_COMMITTEE: ['government'],
  SANCTIONS_MONITORING: ['government'],
  REGIONAL_ORGANIZATION: ['government-regional'],
  MEMBER_STATE_AGENCY: ['government-national'],
  CIVIL_SOCIETY: ['non-profit'],
  DONOR: ['government'],
};

export function organizationIdentity(org: OrganizationRow): StixObject {
  const sectors = SECTORS[org.kind];
  return {
    type: 'identity',
    id: identityIdOf(org.id),
    ...common(),
    created_by_ref: NETWORK_IDENTITY_ID,
    name: org.nameEn,
    description: `${org.acronym} (${org.nameRu})`,
    identity_class: 'organization',
    // The network's own kind of body (OrganizationKind): the sharing policy grants fields by it.
    roles: [kebab(org.kind)],
    ...(sectors ? { sectors } : {}),
    external_references: [{ source_name: 'ct-ewn', external_id: org.id }],
  };
}

/** region-ov (STIX 2.1 §10.21), by the UN M49 regions. */
const REGIONS: Record<string, string> = { KAZ: 'central-asia', KGZ: 'central-asia', TJK: 'central-asia', TKM: 'central-asia', UZB: 'central-asia', AFG: 'southern-asia' };

export function countryLocation(country: CountryRow): StixObject {
  const region = REGIONS[country.iso3];
  return {
    type: 'location',
    id: locationIdOf(country.iso3),
    ...common(),
    created_by_ref: NETWORK_IDENTITY_ID,
    name: country.nameEn,
    description: country.nameRu,
    // STIX `country` is ISO 3166-1 alpha-2.
    country: country.iso2,
    ...(region ? { region } : {}),
    external_references: [{ source_name: 'iso-3166-1-alpha-3', external_id: country.iso3 }],
  };
}

export function indicatorObject(indicator: IndicatorRow, applicability: Applicability | undefined): StixObject {
  const applies = applicability?.countries ?? [];
  return {
    type: INDICATOR_TYPE,
    id: indicatorIdOf(indicator.code),
    ...common(),
    created_by_ref: NETWORK_IDENTITY_ID,
    name: indicator.nameEn,
    description: indicator.descriptionEn,
    code: indicator.code,
    theme: kebab(indicator.theme),
    unit: indicator.unit,
    methodology: indicator.methodology,
    scale: kebab(indicator.scale),
    periodicity: kebab(indicator.periodicity),
    worse_direction: kebab(indicator.worseDirection),
    thresholds: { watch: indicator.thresholdWatch, warning: indicator.thresholdWarning, critical: indicator.thresholdCritical },
    ...(indicator.minValue !== null ? { min_value: indicator.minValue } : {}),
    ...(indicator.maxValue !== null ? { max_value: indicator.maxValue } : {}),
    ...(applies.length > 0 ? { applies_to_refs: applies.map(locationIdOf) } : {}),
    extensions: { [SERIES_EXTENSION_ID]: { extension_type: 'new-sdo' } },
  };
}
