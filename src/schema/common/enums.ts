import { registerEnumType } from 'type-graphql';

// Values match the database enums (src/db/schema/enums.ts), so rows map to the API without translation.

export enum Tlp {
  CLEAR = 'CLEAR',
  GREEN = 'GREEN',
  AMBER = 'AMBER',
  AMBER_STRICT = 'AMBER_STRICT',
  RED = 'RED',
}
registerEnumType(Tlp, {
  name: 'Tlp',
  description: 'Traffic Light Protocol 2.0 marking: who may receive the record.',
  valuesConfig: {
    CLEAR: { description: 'TLP:CLEAR: anyone; no limit on disclosure.' },
    GREEN: { description: "TLP:GREEN: any authenticated member of the network; not public channels." },
    AMBER: { description: "TLP:AMBER: the originating organization, organizations it was shared with, and their clients." },
    AMBER_STRICT: { description: 'TLP:AMBER+STRICT: the originating organization and organizations it was shared with only.' },
    RED: { description: 'TLP:RED: named individuals only (the author and persons it was shared with).' },
  },
});

export enum Lang {
  EN = 'EN',
  RU = 'RU',
}
registerEnumType(Lang, {
  name: 'Lang',
  description: 'Language of names and titles. Without a `lang` argument the request\'s Accept-Language decides, then English.',
  valuesConfig: { EN: { description: 'English.' }, RU: { description: 'Russian.' } },
});

export enum CountryRole {
  MEMBER_STATE = 'MEMBER_STATE',
  COUNTRY_OF_CONCERN = 'COUNTRY_OF_CONCERN',
  OTHER = 'OTHER',
}
registerEnumType(CountryRole, {
  name: 'CountryRole',
  description: "A country's role in the network.",
  valuesConfig: {
    MEMBER_STATE: { description: 'One of the five Central Asian member states.' },
    COUNTRY_OF_CONCERN: { description: 'A country whose situation the network follows (Afghanistan, with UNAMA).' },
    OTHER: { description: 'Any other country referred to by the data.' },
  },
});

export enum OrganizationKind {
  UN_ENTITY = 'UN_ENTITY',
  SANCTIONS_COMMITTEE = 'SANCTIONS_COMMITTEE',
  SANCTIONS_MONITORING = 'SANCTIONS_MONITORING',
  REGIONAL_ORGANIZATION = 'REGIONAL_ORGANIZATION',
  MEMBER_STATE_AGENCY = 'MEMBER_STATE_AGENCY',
  CIVIL_SOCIETY = 'CIVIL_SOCIETY',
  EXPERT = 'EXPERT',
  DONOR = 'DONOR',
}
registerEnumType(OrganizationKind, {
  name: 'OrganizationKind',
  description: 'What kind of body an organization is; the sharing policy grants some fields by kind.',
  valuesConfig: {
    UN_ENTITY: { description: 'A UN office, mission or centre (UNRCCA, UNOCT, UNAMA, UNODC).' },
    SANCTIONS_COMMITTEE: { description: 'A Security Council sanctions committee (1267/1989/2253, 1988).' },
    SANCTIONS_MONITORING: { description: 'The Analytical Support and Sanctions Monitoring Team.' },
    REGIONAL_ORGANIZATION: { description: 'A regional body (CIS ATC, SCO RATS, CICA, CSTO).' },
    MEMBER_STATE_AGENCY: { description: 'A state institution of one of the five member states.' },
    CIVIL_SOCIETY: { description: 'A civil society organization of a member state.' },
    EXPERT: { description: 'Independent experts, including the group of national experts.' },
    DONOR: { description: 'A donor (the UN Peace and Development Trust Fund).' },
  },
});

export enum ReportKind {
  RESEARCH = 'RESEARCH',
  SITUATION_ASSESSMENT = 'SITUATION_ASSESSMENT',
  INCIDENT = 'INCIDENT',
  CONFERENCE_SUMMARY = 'CONFERENCE_SUMMARY',
  WORKPLAN = 'WORKPLAN',
  BRIEFING = 'BRIEFING',
}
registerEnumType(ReportKind, {
  name: 'ReportKind',
  description: 'What kind of document a report is.',
  valuesConfig: {
    RESEARCH: { description: 'A research paper, e.g. by the group of national experts.' },
    SITUATION_ASSESSMENT: { description: 'An assessment of the situation in a country or the region.' },
    INCIDENT: { description: 'A report on a specific incident.' },
    CONFERENCE_SUMMARY: { description: 'The summary of a meeting or conference of the network.' },
    WORKPLAN: { description: "The network's workplan or a part of it." },
    BRIEFING: { description: 'A short briefing note.' },
  },
});

export enum Topic {
  ONLINE_PROPAGANDA = 'ONLINE_PROPAGANDA',
  RELIGIOUS_RADICALIZATION = 'RELIGIOUS_RADICALIZATION',
  VIOLENT_EXTREMISM = 'VIOLENT_EXTREMISM',
  FOREIGN_TERRORIST_FIGHTERS = 'FOREIGN_TERRORIST_FIGHTERS',
  AFGHANISTAN = 'AFGHANISTAN',
  TERRORISM_FINANCING = 'TERRORISM_FINANCING',
  BORDER_SECURITY = 'BORDER_SECURITY',
  PRISONS_REHABILITATION = 'PRISONS_REHABILITATION',
  SANCTIONS_IMPLEMENTATION = 'SANCTIONS_IMPLEMENTATION',
  WORKPLAN = 'WORKPLAN',
}
registerEnumType(Topic, {
  name: 'Topic',
  description: 'The themes the network works on; reports carry topics, indicators a theme.',
  valuesConfig: {
    ONLINE_PROPAGANDA: { description: 'Terrorist and extremist propaganda online.' },
    RELIGIOUS_RADICALIZATION: { description: 'Religious radicalization.' },
    VIOLENT_EXTREMISM: { description: 'Violent extremism.' },
    TERRORISM_FINANCING: { description: 'The financing of terrorism.' },
    BORDER_SECURITY: { description: 'Border security and management.' },
    FOREIGN_TERRORIST_FIGHTERS: { description: 'Foreign terrorist fighters and their return, families included.' },
    AFGHANISTAN: { description: 'The situation in, and spill-over from, Afghanistan.' },
    PRISONS_REHABILITATION: { description: 'Prisons, rehabilitation and reintegration.' },
    SANCTIONS_IMPLEMENTATION: { description: 'Implementation of the ISIL/Al-Qaida and Taliban sanctions lists.' },
    WORKPLAN: { description: "The network's annual workplan." },
  },
});

export enum SourceReliability {
  A = 'A',
  B = 'B',
  C = 'C',
  D = 'D',
  E = 'E',
  F = 'F',
}
registerEnumType(SourceReliability, {
  name: 'SourceReliability',
  description: 'Admiralty grading of the source: A completely reliable … E unreliable, F cannot be judged.',
  valuesConfig: {
    A: { description: 'Completely reliable.' },
    B: { description: 'Usually reliable.' },
    C: { description: 'Fairly reliable.' },
    D: { description: 'Not usually reliable.' },
    E: { description: 'Unreliable.' },
    F: { description: 'Reliability cannot be judged.' },
  },
});

export enum Periodicity {
  MONTHLY = 'MONTHLY',
  QUARTERLY = 'QUARTERLY',
  ANNUAL = 'ANNUAL',
}
registerEnumType(Periodicity, {
  name: 'Periodicity',
  description: 'How often an indicator is measured; its periods are written YYYY-MM, YYYY-Qn or YYYY.',
  valuesConfig: {
    MONTHLY: { description: 'Once a month; periods like `2024-03`.' },
    QUARTERLY: { description: 'Once a quarter; periods like `2024-Q1`.' },
    ANNUAL: { description: 'Once a year; periods like `2024`.' },
  },
});

export enum WorseDirection {
  HIGHER = 'HIGHER',
  LOWER = 'LOWER',
}
registerEnumType(WorseDirection, {
  name: 'WorseDirection',
  description: 'Which way a change of the value is a deterioration.',
  valuesConfig: {
    HIGHER: { description: 'Higher values are worse (e.g. incidents); thresholds rise watch < warning < critical.' },
    LOWER: { description: 'Lower values are worse (e.g. a completion rate); thresholds fall watch > warning > critical.' },
  },
});

export enum AlertLevel {
  NONE = 'NONE',
  WATCH = 'WATCH',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(AlertLevel, {
  name: 'AlertLevel',
  description: "Where a value stands against its indicator's thresholds, in the indicator's worse direction.",
  valuesConfig: {
    NONE: { description: 'Below the watch threshold.' },
    WATCH: { description: 'At or past the watch threshold.' },
    WARNING: { description: 'At or past the warning threshold.' },
    CRITICAL: { description: 'At or past the critical threshold.' },
  },
});

export enum ReportOrder {
  PUBLISHED_DESC = 'PUBLISHED_DESC',
  PUBLISHED_ASC = 'PUBLISHED_ASC',
  UPDATED_DESC = 'UPDATED_DESC',
  GRADING = 'GRADING',
}
registerEnumType(ReportOrder, {
  name: 'ReportOrder',
  description: 'Order of a report list; ties are broken by id, so pages are stable.',
  valuesConfig: {
    PUBLISHED_DESC: { description: 'Newest publication first (default).' },
    PUBLISHED_ASC: { description: 'Oldest publication first.' },
    UPDATED_DESC: { description: 'Most recently revised first (for syncing).' },
    GRADING: { description: 'Best Admiralty grading first (source A before B, then information 1 before 2), newest within a grade. Members only, as the grading is.' },
  },
});
