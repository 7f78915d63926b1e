import type { observations } from '../schema/index.js';
import { SAMPLE_NOW, SERIES_END, addDays, clampBefore, isoDate, periodEnd } from './calendar.js';
import { applicableCountries, sampleSeriesThresholds, type SampleIndicator } from './indicators.js';
import { createRandom, type Random } from './random.js';
import { COUNTRY_AGENCY, COUNTRY_CODES, type CountryCode } from './reference.js';

export type SampleObservation = typeof observations.$inferInsert & { id: string; recordedAt: Date };
type Tlp = SampleObservation['tlp'];
type Reliability = SampleObservation['sourceReliability'];

interface Period {
  year: number;
  month: number;
  months: number;
}

const OBSERVATION_TLP: readonly (readonly [Tlp, number])[] = [
  ['CLEAR', 55], ['GREEN', 30], ['AMBER', 10], ['AMBER_STRICT', 4], ['RED', 1],
];
export const RELIABILITY_WEIGHTS: readonly (readonly [Reliability, number])[] = [
  ['A', 10], ['B', 35], ['C', 30], ['D', 12], ['E', 4], ['F', 9],
];
export const CREDIBILITY_WEIGHTS: readonly (readonly [number, number])[] = [
  [1, 15], [2, 35], [3, 28], [4, 10], [5, 3], [6, 9],
];
const NOTES = [
  'Provisional figure; the final figure follows with the quarterly return.',
  'Includes cases reported late by regional offices.',
  'Figure cross-checked with the regional organization’s own count.',
  'Partial month: one reporting unit did not file.',
  'Sample data: value generated for demonstration.',
];
const SPIKE_NOTES = [
  'Spike linked to a coordinated online campaign; see the related situation assessment.',
  'Sharp rise after a single large operation; analysts expect a return to trend.',
];
const CORRECTIONS = [
  'Corrected after source verification.',
  'Corrected after late returns from regional offices.',
  'Corrected after reconciliation with UNODC figures.',
];

/** Periods of the series window ending SERIES_END: whole months, quarters and years only. */
function periodsOf(periodicity: SampleIndicator['periodicity'], years: number): Period[] {
  const endIndex = SERIES_END.year * 12 + SERIES_END.month - 1;
  const startIndex = endIndex - years * 12 + 1;
  const months = periodicity === 'MONTHLY' ? 1 : periodicity === 'QUARTERLY' ? 3 : 12;
  const periods: Period[] = [];
  for (let i = startIndex; i + months - 1 <= endIndex; i += 1) {
    const month = (i % 12) + 1;
    if ((month - 1) % months !== 0) continue;
    periods.push({ year: Math.floor(i / 12), month, months });
  }
  return periods;
}

function fit(indicator: SampleIndicator, value: number): number {
  const bounded = Math.min(indicator.maxValue ?? Number.POSITIVE_INFINITY, Math.max(indicator.minValue ?? 0, value));
  const unit = indicator.unit;
  return unit === '%' || unit.startsWith('thousand') ? Math.round(bounded * 10) / 10 : Math.round(bounded);
}

/** A corrected value that differs from the first one even for small whole counts. */
function corrected(rng: Random, indicator: SampleIndicator, value: number): number {
  const sign = rng.chance(0.5) ? 1 : -1;
  const candidate = fit(indicator, value * (1 + sign * (0.05 + rng.next() * 0.2)));
  if (candidate !== value) return candidate;
  const step = fit(indicator, value + 1) !== value ? 1 : -1;
  return fit(indicator, value + step);
}

/** A plausible series: a country baseline, a yearly wave, a slow trend, noise, and rare spikes that
 * cross the warning or critical threshold so alerting has something to find. The thresholds are the
 * series' own (the country's, a rate's in counts), so every country's series looks alike against them. */
function seriesValues(rng: Random, indicator: SampleIndicator, [watch, warning, critical]: readonly [number, number, number], periods: readonly Period[]): { value: number; spike: boolean }[] {
  const higher = indicator.worseDirection === 'HIGHER';
  const max = indicator.maxValue ?? Number.POSITIVE_INFINITY;
  const base = higher
    ? watch * (0.45 + rng.next() * 0.35)
    : Number.isFinite(max)
      ? watch + (max - watch) * (0.3 + rng.next() * 0.4)
      : watch * (1.15 + rng.next() * 0.35);
  // A share near its ceiling (a 90% completion rate) varies less than a count, or it would pin at 100%.
  const scale = Math.min(base, (max - base) * 1.5);
  const trend = (rng.next() * 0.3 - 0.1) * (higher ? base : -(base - warning));
  const phase = rng.next() * Math.PI * 2;
  return periods.map((p, i) => {
    const progress = periods.length > 1 ? i / (periods.length - 1) : 0;
    let value = base + trend * progress + Math.sin((p.month / 12) * Math.PI * 2 + phase) * scale * 0.1 + rng.gauss() * scale * 0.08;
    const spike = rng.chance(0.015);
    if (spike) value = warning + (critical - warning) * rng.next() * 1.4;
    return { value: fit(indicator, value), spike };
  });
}

/**
 * A series is one source's figures (indicator × country × source): the country's own agency reports its
 * series (UNAMA for Afghanistan), and for some series UNODC reports its own figures for the same periods,
 * side by side, as it does from its own monitoring.
 */
const primarySource = (country: CountryCode): string => (country === 'AFG' ? 'unama' : COUNTRY_AGENCY[country]);
const SECOND_SOURCE = 'unodc';
const SECOND_SOURCE_SHARE = 0.15;

/**
 * The draw that once chose a source per period (before a series was per source): still drawn, so that the
 * stream of values, markings and gradings, and the figures quoted from the sample data, stay as they were.
 */
function legacySourceDraw(rng: Random, country: CountryCode): void {
  if (country === 'AFG') rng.chance(0.85);
  else rng.weighted([[COUNTRY_AGENCY[country], 80], ['unodc', 12], ['unama', 8]]);
}

/** UNODC's figure for a period the primary source reported: its own count, close to the national one. */
function secondSourceRow(rng: Random, indicator: SampleIndicator, primary: SampleObservation): SampleObservation {
  return {
    ...primary,
    id: rng.uuid(),
    value: fit(indicator, primary.value * (1 + rng.gauss() * 0.08)),
    sourceOrgId: SECOND_SOURCE,
    recordedBySub: `sample:${SECOND_SOURCE}:analyst-${rng.int(1, 3)}`,
    tlp: rng.weighted(OBSERVATION_TLP),
    sourceReliability: rng.weighted(RELIABILITY_WEIGHTS),
    informationCredibility: rng.weighted(CREDIBILITY_WEIGHTS),
    note: rng.chance(0.2) ? 'UNODC estimate from its own monitoring; methodology differs from the national return.' : null,
    status: 'ESTIMATED',
    revision: 1,
    recordedAt: clampBefore(addDays(primary.recordedAt, rng.int(5, 30)), SAMPLE_NOW),
  };
}

/**
 * The sample's series: each indicator's values for the countries it applies to. Every pair is still drawn
 * and the others are left out at the end, so the random stream, and with it every value, marking and
 * grading of an applicable series, is what it was before indicators declared where they apply.
 */
export function generateObservations(seed: number, years: number, indicatorList: readonly SampleIndicator[]): SampleObservation[] {
  const applicable = new Set(indicatorList.flatMap((i) => applicableCountries(i.appliesTo).map((country) => `${i.code}|${country}`)));
  return drawObservations(seed, years, indicatorList).filter((o) => applicable.has(`${o.indicatorCode}|${o.countryIso3}`));
}

function drawObservations(seed: number, years: number, indicatorList: readonly SampleIndicator[]): SampleObservation[] {
  const rng = createRandom(seed, 'observations');
  const second = createRandom(seed, 'observations:second-source');
  const rows: SampleObservation[] = [];
  const revisions: SampleObservation[] = [];
  for (const indicator of indicatorList) {
    const periods = periodsOf(indicator.periodicity, years);
    for (const country of COUNTRY_CODES) {
      const values = seriesValues(rng, indicator, sampleSeriesThresholds(indicator, country, SERIES_END.year), periods);
      const sourceOrgId = primarySource(country);
      const hasSecondSource = sourceOrgId !== SECOND_SOURCE && second.chance(SECOND_SOURCE_SHARE);
      periods.forEach((period, i) => {
        const point = values[i];
        if (!point) return;
        legacySourceDraw(rng, country);
        const recordedAt = clampBefore(
          addDays(periodEnd(period.year, period.month, period.months), rng.int(2, 9) + rng.int(8, 17) / 24),
          SAMPLE_NOW,
        );
        let note: string | null = null;
        if (point.spike && rng.chance(0.5)) note = rng.pick(SPIKE_NOTES);
        else if (rng.chance(0.1)) note = rng.pick(NOTES);
        const row: SampleObservation = {
          id: rng.uuid(),
          indicatorCode: indicator.code,
          countryIso3: country,
          periodStart: isoDate(period.year, period.month),
          value: point.value,
          sourceOrgId,
          recordedBySub: `sample:${sourceOrgId}:analyst-${rng.int(1, 3)}`,
          tlp: rng.weighted(OBSERVATION_TLP),
          sourceReliability: rng.weighted(RELIABILITY_WEIGHTS),
          informationCredibility: rng.weighted(CREDIBILITY_WEIGHTS),
          note,
          // The newest period of a series is a first return, still to be confirmed.
          status: i === periods.length - 1 ? 'PROVISIONAL' : 'FINAL',
          revision: 1,
          recordedAt,
        };
        rows.push(row);
        if (hasSecondSource) rows.push(secondSourceRow(second, indicator, row));
        // A correction is a new row, never an overwrite (see the observations table).
        if (rng.chance(0.02)) {
          revisions.push({
            ...row,
            id: rng.uuid(),
            value: corrected(rng, indicator, point.value),
            revision: 2,
            status: 'FINAL',
            note: rng.pick(CORRECTIONS),
            recordedAt: clampBefore(addDays(recordedAt, rng.int(7, 45)), SAMPLE_NOW),
          });
        }
      });
    }
  }
  return [...rows, ...revisions];
}
