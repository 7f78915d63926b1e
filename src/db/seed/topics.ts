/** The network's themes (docs: domain/network.md), stored as-is in reports.topics and indicators.theme. */
export const TOPICS = [
  'ONLINE_PROPAGANDA',
  'RELIGIOUS_RADICALIZATION',
  'VIOLENT_EXTREMISM',
  'FOREIGN_TERRORIST_FIGHTERS',
  'AFGHANISTAN',
  'TERRORISM_FINANCING',
  'BORDER_SECURITY',
  'PRISONS_REHABILITATION',
  'SANCTIONS_IMPLEMENTATION',
  'WORKPLAN',
] as const;

export type Topic = (typeof TOPICS)[number];
