/** A valid CreateReportInput for the write tests: a GREEN situation assessment on Kazakhstan; `over` replaces fields. */
export const reportDraft = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  title: 'Recruitment channels on messaging apps',
  language: 'EN',
  summary: 'Observed recruitment channels, first quarter.',
  body: 'Details of the observed channels.',
  kind: 'SITUATION_ASSESSMENT',
  topics: ['ONLINE_PROPAGANDA'],
  countries: ['KAZ'],
  tlp: 'GREEN',
  sourceReliability: 'B',
  informationCredibility: 2,
  ...over,
});
