import type { countries, countryGroupMembers, countryGroups, organizationParents, organizations } from '../schema/index.js';

type CountryInsert = typeof countries.$inferInsert;
type CountryGroupInsert = typeof countryGroups.$inferInsert;
type CountryGroupMemberInsert = typeof countryGroupMembers.$inferInsert;
type OrganizationInsert = typeof organizations.$inferInsert;
type ParentInsert = typeof organizationParents.$inferInsert;

export const COUNTRIES: readonly CountryInsert[] = [
  { iso3: 'KAZ', iso2: 'KZ', nameEn: 'Kazakhstan', nameRu: 'Казахстан', role: 'MEMBER_STATE' },
  { iso3: 'KGZ', iso2: 'KG', nameEn: 'Kyrgyzstan', nameRu: 'Кыргызстан', role: 'MEMBER_STATE' },
  { iso3: 'TJK', iso2: 'TJ', nameEn: 'Tajikistan', nameRu: 'Таджикистан', role: 'MEMBER_STATE' },
  { iso3: 'TKM', iso2: 'TM', nameEn: 'Turkmenistan', nameRu: 'Туркменистан', role: 'MEMBER_STATE' },
  { iso3: 'UZB', iso2: 'UZ', nameEn: 'Uzbekistan', nameRu: 'Узбекистан', role: 'MEMBER_STATE' },
  { iso3: 'AFG', iso2: 'AF', nameEn: 'Afghanistan', nameRu: 'Афганистан', role: 'COUNTRY_OF_CONCERN' },
];

export const COUNTRY_CODES = ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB', 'AFG'] as const;
export type CountryCode = (typeof COUNTRY_CODES)[number];

/**
 * Roles countries share that indicators are declared for (geography, not the network role of
 * `countries.role`): of the countries the network follows, Tajikistan, Turkmenistan and Uzbekistan border
 * Afghanistan; Kazakhstan and Kyrgyzstan do not.
 */
export const COUNTRY_GROUPS = {
  CENTRAL_ASIA: { nameEn: 'Central Asian states', nameRu: 'государства Центральной Азии', members: ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB'] },
  AFGHANISTAN_NEIGHBOURS: { nameEn: 'states bordering Afghanistan', nameRu: 'государства, граничащие с Афганистаном', members: ['TJK', 'TKM', 'UZB'] },
} as const satisfies Record<string, { nameEn: string; nameRu: string; members: readonly CountryCode[] }>;
export type CountryGroupCode = keyof typeof COUNTRY_GROUPS;

export function buildCountryGroups(): { groups: CountryGroupInsert[]; members: CountryGroupMemberInsert[] } {
  const entries = Object.entries(COUNTRY_GROUPS);
  return {
    groups: entries.map(([code, g]) => ({ code, nameEn: g.nameEn, nameRu: g.nameRu })),
    members: entries.flatMap(([code, g]) => g.members.map((countryIso3) => ({ groupCode: code, countryIso3 }))),
  };
}

/** Russian forms the report templates need: genitive ("of Kazakhstan") and prepositional ("in Kazakhstan"). */
export const COUNTRY_RU_CASES: Record<CountryCode, { genitive: string; prepositional: string }> = {
  KAZ: { genitive: 'Казахстана', prepositional: 'Казахстане' },
  KGZ: { genitive: 'Кыргызстана', prepositional: 'Кыргызстане' },
  TJK: { genitive: 'Таджикистана', prepositional: 'Таджикистане' },
  TKM: { genitive: 'Туркменистана', prepositional: 'Туркменистане' },
  UZB: { genitive: 'Узбекистана', prepositional: 'Узбекистане' },
  AFG: { genitive: 'Афганистана', prepositional: 'Афганистане' },
};

export function countryNameEn(iso3: CountryCode): string {
  return COUNTRIES.find((c) => c.iso3 === iso3)?.nameEn ?? iso3;
}

/** The member-state agency that reports a country's figures; Afghanistan has none, UNAMA reports for it. */
export const COUNTRY_AGENCY: Record<CountryCode, string> = {
  KAZ: 'kaz-ct',
  KGZ: 'kgz-ct',
  TJK: 'tjk-ct',
  TKM: 'tkm-ct',
  UZB: 'uzb-ct',
  AFG: 'unama',
};

// Fictional focal points: sample data must never name a real official.
const FOCAL_POINTS = [
  'Aigul Sampleova', 'Daniyar Testov', 'Malika Exampleva', 'Timur Demov', 'Nodira Fictiva', 'Rustam Placeholdov',
  'Zarina Mockova', 'Farhod Draftov', 'Gulnara Specimenova', 'Alisher Trialov', 'Saule Pilotova', 'Bakhtiyor Modelov',
];

function org(
  id: string,
  acronym: string,
  kind: OrganizationInsert['kind'],
  nameEn: string,
  nameRu: string,
  countryIso3: CountryCode | null = null,
  active = true,
): OrganizationInsert {
  return { id, acronym, kind, nameEn, nameRu, countryIso3, active };
}

/** UNRCCA and UNOCT run the network jointly: its coordinators (organizations.coordinates_network). */
const coordinator = (o: OrganizationInsert): OrganizationInsert => ({ ...o, coordinatesNetwork: true });

const REAL_ORGANIZATIONS: readonly OrganizationInsert[] = [
  coordinator(org('unrcca', 'UNRCCA', 'UN_ENTITY', 'United Nations Regional Centre for Preventive Diplomacy for Central Asia', 'Региональный центр Организации Объединённых Наций по превентивной дипломатии для Центральной Азии')),
  coordinator(org('unoct', 'UNOCT', 'UN_ENTITY', 'United Nations Office of Counter-Terrorism', 'Контртеррористическое управление Организации Объединённых Наций')),
  org('unama', 'UNAMA', 'UN_ENTITY', 'United Nations Assistance Mission in Afghanistan', 'Миссия Организации Объединённых Наций по содействию Афганистану'),
  org('unodc', 'UNODC', 'UN_ENTITY', 'United Nations Office on Drugs and Crime', 'Управление Организации Объединённых Наций по наркотикам и преступности'),
  org('unpdf', 'UNPDF', 'DONOR', 'United Nations Peace and Development Trust Fund', 'Целевой фонд Организации Объединённых Наций для мира и развития'),
  org('sc-1267', '1267 Committee', 'SANCTIONS_COMMITTEE',
    "Security Council Committee pursuant to resolutions 1267 (1999), 1989 (2011) and 2253 (2015) concerning ISIL (Da'esh), Al-Qaida and associated individuals, groups, undertakings and entities",
    'Комитет Совета Безопасности, учреждённый резолюциями 1267 (1999), 1989 (2011) и 2253 (2015) по ИГИЛ (ДАИШ), «Аль-Каиде» и связанным с ними лицам, группам, предприятиям и организациям'),
  org('sc-1988', '1988 Committee', 'SANCTIONS_COMMITTEE', 'Security Council Committee established pursuant to resolution 1988 (2011)',
    'Комитет Совета Безопасности, учреждённый резолюцией 1988 (2011)'),
  org('monitoring-team', 'Monitoring Team', 'SANCTIONS_MONITORING', 'Analytical Support and Sanctions Monitoring Team',
    'Группа по аналитической поддержке и наблюдению за санкциями'),
  org('cis-atc', 'CIS ATC', 'REGIONAL_ORGANIZATION', 'Anti-Terrorism Centre of the Commonwealth of Independent States',
    'Антитеррористический центр государств — участников Содружества Независимых Государств'),
  org('sco-rats', 'SCO RATS', 'REGIONAL_ORGANIZATION', 'Regional Anti-Terrorist Structure of the Shanghai Cooperation Organization',
    'Региональная антитеррористическая структура Шанхайской организации сотрудничества'),
  org('cica', 'CICA', 'REGIONAL_ORGANIZATION', 'Conference on Interaction and Confidence Building Measures in Asia',
    'Совещание по взаимодействию и мерам доверия в Азии'),
  org('csto', 'CSTO', 'REGIONAL_ORGANIZATION', 'Collective Security Treaty Organization', 'Организация Договора о коллективной безопасности'),
];

const MEMBER_STATES = COUNTRY_CODES.filter((c) => c !== 'AFG');
const CSO_STATES: readonly CountryCode[] = ['KAZ', 'KGZ', 'TJK', 'UZB'];

const SAMPLE_ORGANIZATIONS: readonly OrganizationInsert[] = [
  ...MEMBER_STATES.map((c) =>
    org(`${c.toLowerCase()}-ct`, `${c} CT`, 'MEMBER_STATE_AGENCY', `${countryNameEn(c)} national CT focal point (sample)`,
      `Национальный координатор по противодействию терроризму ${COUNTRY_RU_CASES[c].genitive} (пример)`, c),
  ),
  ...CSO_STATES.map((c) =>
    org(`${c.toLowerCase()}-cso`, `${c} CSO`, 'CIVIL_SOCIETY', `${countryNameEn(c)} civil society partner (sample)`,
      `Партнёр от гражданского общества ${COUNTRY_RU_CASES[c].genitive} (пример)`, c),
  ),
  org('expert-group', 'Expert Group', 'EXPERT', 'Group of national experts (sample)', 'Группа национальных экспертов (пример)'),
  org('inactive-sample', 'Inactive', 'EXPERT', 'Inactive partner organization (sample)', 'Неактивная организация-партнёр (пример)', null, false),
];

const EXTRA_KINDS = ['MEMBER_STATE_AGENCY', 'CIVIL_SOCIETY', 'EXPERT'] as const;

/** Fictional partners beyond the network's own, only for benchmarks at a larger scale. */
function extraOrganizations(count: number): OrganizationInsert[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const kind = EXTRA_KINDS[i % EXTRA_KINDS.length] ?? 'EXPERT';
    const country = kind === 'EXPERT' ? null : (MEMBER_STATES[i % MEMBER_STATES.length] ?? null);
    return org(`extra-${n}`, `EXTRA ${n}`, kind, `Sample partner organization ${n} (sample)`, `Организация-партнёр ${n} (пример)`, country);
  });
}

export function buildOrganizations(extra: number): OrganizationInsert[] {
  return [...REAL_ORGANIZATIONS, ...SAMPLE_ORGANIZATIONS, ...extraOrganizations(extra)].map((o, i) => ({
    ...o,
    focalPointName: `${FOCAL_POINTS[i % FOCAL_POINTS.length] ?? 'Sample Person'} (sample)`,
    focalPointEmail: `focal.${o.id}@example.org`,
  }));
}

/** The Monitoring Team supports both sanctions committees, so AMBER grants to either reach it. */
export const ORGANIZATION_PARENTS: readonly ParentInsert[] = [
  { organizationId: 'monitoring-team', parentId: 'sc-1267' },
  { organizationId: 'monitoring-team', parentId: 'sc-1988' },
];
