import { validateSync } from 'class-validator';
import type { ReferenceData } from '../db/reference.js';
import type { ReportContent } from '../db/queries/report-writes.js';
import { ReportKind, SourceReliability, Topic } from '../schema/common/enums.js';
import { CreateReportInput } from '../schema/report/report.input.js';
import { CONFIDENCE_OF_CREDIBILITY } from './grading.js';
import { tlpOfMarkingId } from './markings.js';
import { identityIdOf, indicatorIdOf, locationIdOf, type StixObject } from './reference.js';

/**
 * One STIX `report` read back into the content of a network report: the inverse of toStixReport
 * (src/stix/report.ts), so a report exported and imported again is the same report. Whatever the network
 * cannot keep faithfully is refused with the object's id rather than guessed (a marking above all);
 * what it does not keep (references to objects it has no table for, labels that are not topics) is
 * named in the report's outcome, never dropped silently.
 */

export interface ReportPlan {
  /** The object of the bundle this plan reads. */
  object: StixObject;
  stixId: string;
  /** The version the producer gave (`modified`), ISO text as sent. */
  modified: Date;
  revoked: boolean;
  content: Required<Pick<ReportContent, 'language' | 'summary' | 'body' | 'kind' | 'topics' | 'countries' | 'indicators' | 'tlp' | 'sourceReliability' | 'informationCredibility' | 'sanctionsReferences'>> &
    Pick<ReportContent, 'title' | 'titleRu' | 'publishedAt'>;
  /** What of the object the network does not keep, for the status resource and the command's output. */
  notKept: string[];
}

/** TLP 1.0 ids (STIX 2.1 §7.2.1.4): recognised only to say which TLP 2.0 marking to send instead. */
const TLP_1_0: Record<string, string> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'TLP:WHITE (TLP 1.0; send TLP:CLEAR)',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'TLP:GREEN (TLP 1.0; send the TLP 2.0 TLP:GREEN)',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'TLP:AMBER (TLP 1.0; send TLP:AMBER or TLP:AMBER+STRICT of TLP 2.0)',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'TLP:RED (TLP 1.0; send the TLP 2.0 TLP:RED)',
};

const KINDS = new Map(Object.values(ReportKind).map((k) => [k.toLowerCase().replace(/_/g, '-'), k]));
const TOPICS = new Map(Object.values(Topic).map((t) => [t.toLowerCase().replace(/_/g, '-'), t]));
const RELIABILITY = new Set<string>(Object.values(SourceReliability));

/**
 * Confidence (0–100) back to an information-credibility grade: the nearest value of the Appendix A table
 * in src/stix/grading.ts, so each value we send comes back as the grade it came from. No confidence is
 * grade 6 (truth cannot be judged), as no grade-6 report carries one.
 */
export function credibilityOfConfidence(confidence: number | undefined): number {
  if (confidence === undefined) return 6;
  let best = 6;
  let distance = Infinity;
  for (const [grade, value] of Object.entries(CONFIDENCE_OF_CREDIBILITY)) {
    if (value !== undefined && Math.abs(value - confidence) < distance) [best, distance] = [Number(grade), Math.abs(value - confidence)];
  }
  return best;
}

export interface BundleIndex {
  /** Objects of the bundle by id, to read a `location`'s country or a `ctewn-indicator`'s code. */
  byId: ReadonlyMap<string, StixObject>;
  reference: ReferenceData;
  /** The importing organization: a report created by another member is refused. */
  organizationId: string;
}

/** The one TLP 2.0 marking of an object, or why there is none the network can enforce. */
function markingOf(object: StixObject): { tlp: string } | { refusal: string } {
  if (object.granular_markings !== undefined) return { refusal: 'has granular_markings; the network marks a report as a whole: send one TLP 2.0 marking in object_marking_refs' };
  const refs = (object.object_marking_refs as string[] | undefined) ?? [];
  if (refs.length === 0) return { refusal: 'has no marking (object_marking_refs is empty or absent); the network accepts a report only with one TLP 2.0 marking' };
  const unknown = refs.filter((ref) => tlpOfMarkingId(ref) === undefined);
  if (unknown.length > 0) {
    const named = unknown.map((ref) => (TLP_1_0[ref] ? `${ref} = ${TLP_1_0[ref]}` : `${ref} (not a TLP 2.0 marking definition)`));
    return { refusal: `has a marking the network does not know: ${named.join('; ')}` };
  }
  const tlps = [...new Set(refs.map((ref) => tlpOfMarkingId(ref)!))];
  if (tlps.length > 1) return { refusal: `has ${tlps.length} TLP markings (${tlps.join(', ')}); send exactly one` };
  return { tlp: tlps[0]! };
}

/** Our description is `summary`, a blank line, `body`: split at the first blank line. */
function splitDescription(description: string | undefined, name: string): { summary: string; body: string } {
  const text = description?.trim() ? description : name;
  const at = text.indexOf('\n\n');
  // A single paragraph is both: a report needs a summary and a body.
  if (at < 0) return { summary: text, body: text };
  const [summary, body] = [text.slice(0, at), text.slice(at + 2)];
  return { summary: summary.trim() ? summary : name, body: body.trim() ? body : summary.trim() ? summary : name };
}

/** A STIX report as the content of a network report, or the reasons it cannot be one. */
export function planReport(object: StixObject, index: BundleIndex): ReportPlan | { refusals: string[] } {
  const refusals: string[] = [];
  const notKept: string[] = [];
  const marking = markingOf(object);
  if ('refusal' in marking) refusals.push(marking.refusal);

  const { reference } = index;
  const author = object.created_by_ref as string | undefined;
  const member = author ? [...reference.organizationById.keys()].find((org) => identityIdOf(org) === author) : undefined;
  if (member && member !== index.organizationId) {
    refusals.push(`is created by ${member}, another member of the network: only that organization's contributors write its reports`);
  }

  const lang = String(object.lang ?? 'en').toLowerCase().split('-')[0];
  if (lang !== 'en' && lang !== 'ru') refusals.push(`is in "${String(object.lang)}"; the network keeps reports in English (en) or Russian (ru)`);

  const countries = new Set<string>();
  const indicators = new Set<string>();
  for (const ref of (object.object_refs as string[] | undefined) ?? []) {
    const country = reference.countries.find((c) => locationIdOf(c.iso3) === ref) ?? reference.countries.find((c) => c.iso2 === String(index.byId.get(ref)?.country ?? '').toUpperCase() && index.byId.get(ref)?.type === 'location');
    const code = [...reference.indicatorByCode.keys()].find((c) => indicatorIdOf(c) === ref) ?? (index.byId.get(ref)?.type === 'ctewn-indicator' ? String(index.byId.get(ref)?.code) : undefined);
    if (country) countries.add(country.iso3);
    else if (code && reference.indicatorByCode.has(code)) indicators.add(code);
    else if (ref !== author) notKept.push(ref);
  }
  if (countries.size === 0) refusals.push('names no country of the network in object_refs (a `location` whose `country` is one of the network\'s ISO 3166-1 codes); every report covers at least one');

  const reliability = object.x_ctewn_source_reliability;
  if (reliability !== undefined && !(typeof reliability === 'string' && RELIABILITY.has(reliability))) refusals.push('x_ctewn_source_reliability must be one of A–F');
  const credibility = object.x_ctewn_information_credibility;
  if (credibility !== undefined && !(Number.isInteger(credibility) && (credibility as number) >= 1 && (credibility as number) <= 6)) refusals.push('x_ctewn_information_credibility must be an integer 1–6');

  const topics: string[] = [];
  for (const label of (object.labels as string[] | undefined) ?? []) {
    const topic = TOPICS.get(label.toLowerCase());
    if (topic) topics.push(topic);
    else notKept.push(`label "${label}"`);
  }
  const types = (object.report_types as string[] | undefined) ?? [];
  const kind = types.map((t) => KINDS.get(t.toLowerCase())).find((k) => k !== undefined) ?? ReportKind.RESEARCH;

  const sanctions = ((object.external_references as { source_name?: string; external_id?: string }[] | undefined) ?? [])
    .filter((r) => r.source_name === 'un-sc-consolidated-list' && r.external_id)
    .map((r) => r.external_id!);

  if (refusals.length > 0) return { refusals };
  const name = String(object.name);
  const plan: ReportPlan = {
    object,
    stixId: object.id,
    modified: new Date(String(object.modified)),
    revoked: object.revoked === true,
    content: {
      title: lang === 'ru' ? null : name,
      titleRu: lang === 'ru' ? name : null,
      language: lang as 'en' | 'ru',
      ...splitDescription(object.description as string | undefined, name),
      kind,
      topics: [...new Set(topics)],
      countries: [...countries],
      indicators: [...indicators],
      tlp: (marking as { tlp: string }).tlp,
      sourceReliability: (reliability as string | undefined) ?? 'F',
      informationCredibility: (credibility as number | undefined) ?? credibilityOfConfidence(object.confidence as number | undefined),
      sanctionsReferences: [...new Set(sanctions)],
      publishedAt: new Date(String(object.published)),
    },
    notKept,
  };
  // The same input rules as GraphQL createReport (its class-validator constraints: title length, 1 to 10
  // topics, at most 20 countries…), so no report enters by STIX that the API would refuse.
  const input = Object.assign(new CreateReportInput(), plan.content);
  const problems = validateSync(input, { forbidUnknownValues: false, skipMissingProperties: true }).flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${m} (${e.property})`));
  const fromLabels = (m: string) => (m.startsWith('topics') ? `${m}: give its topics as labels, kebab case (${[...TOPICS.keys()].slice(0, 3).join(', ')}…)` : m);
  return problems.length > 0 ? { refusals: problems.map(fromLabels) } : plan;
}
