import { pgEnum } from 'drizzle-orm/pg-core';

// Database enums mirror the GraphQL enums in src/schema/common/enums.ts; a value added here needs a migration.
export const tlpEnum = pgEnum('tlp', ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED']);
export const countryRoleEnum = pgEnum('country_role', ['MEMBER_STATE', 'COUNTRY_OF_CONCERN', 'OTHER']);
export const organizationKindEnum = pgEnum('organization_kind', [
  'UN_ENTITY',
  'SANCTIONS_COMMITTEE',
  'SANCTIONS_MONITORING',
  'REGIONAL_ORGANIZATION',
  'MEMBER_STATE_AGENCY',
  'CIVIL_SOCIETY',
  'EXPERT',
  'DONOR',
]);
export const languageEnum = pgEnum('language', ['en', 'ru']);
export const reportKindEnum = pgEnum('report_kind', [
  'RESEARCH',
  'SITUATION_ASSESSMENT',
  'INCIDENT',
  'CONFERENCE_SUMMARY',
  'WORKPLAN',
  'BRIEFING',
]);
export const sourceReliabilityEnum = pgEnum('source_reliability', ['A', 'B', 'C', 'D', 'E', 'F']);
export const periodicityEnum = pgEnum('periodicity', ['MONTHLY', 'QUARTERLY', 'ANNUAL']);
export const worseDirectionEnum = pgEnum('worse_direction', ['HIGHER', 'LOWER']);

export type Tlp = (typeof tlpEnum.enumValues)[number];
