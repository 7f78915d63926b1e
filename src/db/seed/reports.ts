import type { reportCountries, reportIndicators, reports } from '../schema/index.js';
import { SAMPLE_NOW, addDays } from './calendar.js';
import type { SampleIndicator } from './indicators.js';
import { CREDIBILITY_WEIGHTS, RELIABILITY_WEIGHTS } from './observations.js';
import { CLOSING_EN, CLOSING_RU, KIND_LABELS, MONTHS_EN, MONTHS_RU, SOURCE_DESCRIPTIONS, TOPIC_PHRASES } from './phrases.js';
import { createRandom, type Random } from './random.js';
import { COUNTRY_CODES, COUNTRY_RU_CASES, countryNameEn, type CountryCode } from './reference.js';
import { TOPICS, type Topic } from './topics.js';

export type SampleReport = typeof reports.$inferInsert & { id: string; publishedAt: Date; updatedAt: Date };
type Tlp = SampleReport['tlp'];
type Kind = SampleReport['kind'];

export interface GeneratedReports {
  reports: SampleReport[];
  reportCountries: (typeof reportCountries.$inferInsert)[];
  reportIndicators: (typeof reportIndicators.$inferInsert)[];
}

const KINDS: readonly Kind[] = ['RESEARCH', 'SITUATION_ASSESSMENT', 'INCIDENT', 'CONFERENCE_SUMMARY', 'WORKPLAN', 'BRIEFING'];
const TLPS: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'];
const REPORT_TLP: readonly (readonly [Tlp, number])[] = [
  ['CLEAR', 35], ['GREEN', 30], ['AMBER', 20], ['AMBER_STRICT', 10], ['RED', 5],
];
const PUBLISHED_FROM = Date.UTC(2022, 0, 1);
const PUBLISHED_SPAN = SAMPLE_NOW.getTime() - 36 * 3_600_000 - PUBLISHED_FROM;

function place(countries: readonly CountryCode[]): { en: string; ru: string } {
  const [first, second] = countries;
  if (countries.length >= 3 || !first) {
    const afg = countries.includes('AFG');
    return afg
      ? { en: 'in Central Asia and Afghanistan', ru: 'в Центральной Азии и Афганистане' }
      : { en: 'in Central Asia', ru: 'в Центральной Азии' };
  }
  if (!second) return { en: `in ${countryNameEn(first)}`, ru: `в ${COUNTRY_RU_CASES[first].prepositional}` };
  return {
    en: `in ${countryNameEn(first)} and ${countryNameEn(second)}`,
    ru: `в ${COUNTRY_RU_CASES[first].prepositional} и ${COUNTRY_RU_CASES[second].prepositional}`,
  };
}

/** Fictional consolidated-list numbers (900 and up): QD = ISIL/Al-Qaida (1267), TA = Taliban (1988). */
function sanctionsReferences(rng: Random, topics: readonly Topic[]): string[] {
  const relevant = topics.includes('SANCTIONS_IMPLEMENTATION') || topics.includes('AFGHANISTAN');
  if (!rng.chance(relevant ? 0.35 : 0.04)) return [];
  const preferTaliban = topics.includes('AFGHANISTAN') ? 0.7 : 0.35;
  const lists = rng.chance(0.2) ? ['QD', 'TA'] : [rng.chance(preferTaliban) ? 'TA' : 'QD'];
  const refs = new Set<string>();
  for (const list of lists) {
    const count = rng.int(1, lists.length > 1 ? 2 : 3);
    for (let i = 0; i < count; i += 1) refs.add(`${list}${rng.chance(0.7) ? 'i' : 'e'}.${rng.int(900, 989)}`);
  }
  return [...refs];
}

function fill(template: string, vars: { in: string; period: string }): string {
  return template.replace('{in}', vars.in).replace('{period}', vars.period);
}

function texts(rng: Random, kind: Kind, topics: readonly Topic[], where: { en: string; ru: string }, published: Date) {
  const month = published.getUTCMonth();
  const year = published.getUTCFullYear();
  const en = { in: where.en, period: `${MONTHS_EN[month] ?? ''} ${year}` };
  const ru = { in: where.ru, period: `${MONTHS_RU[month] ?? ''} ${year}` };
  const [lead = 'WORKPLAN'] = topics;
  const label = KIND_LABELS[kind];
  const titleEn = `[Sample] ${label.en}: ${rng.pick(TOPIC_PHRASES[lead].titleEn)} ${en.in} (${en.period})`;
  const titleRu = `[Sample] ${label.ru}: ${rng.pick(TOPIC_PHRASES[lead].titleRu)} ${ru.in} (${ru.period})`;
  // Sentence 0 of each topic names the key term and the place, so it always opens the summary.
  const pickedEn = topics.map((t) => [TOPIC_PHRASES[t].en[0] ?? '', ...rng.sample(TOPIC_PHRASES[t].en.slice(1), 2)]);
  const pickedRu = topics.map((t) => [TOPIC_PHRASES[t].ru[0] ?? '', ...rng.sample(TOPIC_PHRASES[t].ru.slice(1), 2)]);
  // Only the lead topic names the place; the others say "in the region" rather than repeat it.
  // The texts never name the report's sanctions references, nor say that it has any: titles, summaries
  // and bodies are readable by everyone who sees the report, the references only by the sanctions
  // bodies and the originating organization (test/seed.test.ts checks every text column).
  const build = (picked: string[][], vars: typeof en, region: string, kindSentence: string, closing: readonly string[]) => ({
    summary: picked.map((s, i) => fill(s[0] ?? '', i === 0 ? vars : { ...vars, in: region })).join(' '),
    body: [
      fill(kindSentence, vars),
      ...picked.map((s) => s.slice(1).map((x) => fill(x, vars)).join(' ')),
      rng.pick(closing),
    ].join('\n\n'),
  });
  return {
    titleEn,
    titleRu,
    en: build(pickedEn, en, 'in the region', label.sentenceEn, CLOSING_EN),
    ru: build(pickedRu, ru, 'в регионе', label.sentenceRu, CLOSING_RU),
  };
}

export function generateReports(
  seed: number,
  count: number,
  authorOrgIds: readonly string[],
  indicatorList: readonly SampleIndicator[],
): GeneratedReports {
  const rng = createRandom(seed, 'reports');
  const out: GeneratedReports = { reports: [], reportCountries: [], reportIndicators: [] };
  for (let i = 0; i < count; i += 1) {
    const id = rng.uuid();
    let kind = rng.pick(KINDS);
    const topics = rng.sample(TOPICS, rng.weighted([[1, 45], [2, 35], [3, 20]]));
    const countries = rng.sample(COUNTRY_CODES, rng.weighted([[1, 55], [2, 30], [3, 15]]));
    let tlp = rng.weighted(REPORT_TLP);
    let language: 'en' | 'ru' = rng.chance(0.7) ? 'en' : 'ru';
    // The first reports cover every kind, TLP, topic and country, so even a small seed exercises each value.
    if (i < KINDS.length) kind = KINDS[i] ?? kind;
    if (i < TLPS.length) tlp = TLPS[i] ?? tlp;
    if (i < TOPICS.length) topics.unshift(TOPICS[i] ?? 'WORKPLAN');
    if (i < COUNTRY_CODES.length) countries.unshift(COUNTRY_CODES[i] ?? 'KAZ');
    if (kind === 'WORKPLAN') topics.unshift('WORKPLAN');
    // A steady supply of public Tajik propaganda reports: the anonymous full-text search examples rely on them.
    if (i % 50 === 7) {
      tlp = 'CLEAR';
      language = 'en';
      topics.unshift('ONLINE_PROPAGANDA');
      countries.unshift('TJK');
    }
    const topicList = [...new Set(topics)].slice(0, 3);
    const countryList = [...new Set(countries)].slice(0, 3);

    const authorOrgId = rng.pick(authorOrgIds);
    const publishedAt = new Date(PUBLISHED_FROM + Math.floor((rng.next() * PUBLISHED_SPAN) / 60_000) * 60_000);
    const revision = rng.weighted([[1, 85], [2, 11], [3, 4]]);
    const updatedAt = revision === 1 ? publishedAt : new Date(Math.min(addDays(publishedAt, rng.int(1, 60)).getTime(), SAMPLE_NOW.getTime() - 3_600_000));
    const refs = sanctionsReferences(rng, topicList);
    const text = texts(rng, kind, topicList, place(countryList), publishedAt);
    const secondTitle = rng.chance(language === 'en' ? 0.3 : 0.25);
    const content = language === 'en' ? text.en : text.ru;

    out.reports.push({
      id,
      titleEn: language === 'en' || secondTitle ? text.titleEn : null,
      titleRu: language === 'ru' || secondTitle ? text.titleRu : null,
      summary: content.summary,
      body: content.body,
      language,
      kind,
      topics: topicList,
      authorOrgId,
      authorSub: `sample:${authorOrgId}:analyst-${rng.int(1, 4)}`,
      publishedAt,
      tlp,
      sourceReliability: rng.weighted(RELIABILITY_WEIGHTS),
      informationCredibility: rng.weighted(CREDIBILITY_WEIGHTS),
      sourceDescription: rng.chance(0.85) ? rng.pick(SOURCE_DESCRIPTIONS) : null,
      sanctionsReferences: refs,
      revision,
      createdAt: publishedAt,
      updatedAt,
    });
    for (const countryIso3 of countryList) out.reportCountries.push({ reportId: id, countryIso3 });
    const candidates = indicatorList.filter((ind) => (topicList as readonly string[]).includes(ind.theme));
    for (const ind of rng.sample(candidates, rng.int(0, 3))) out.reportIndicators.push({ reportId: id, indicatorCode: ind.code });
  }
  return out;
}
