import { levelOf, type ThresholdSpec } from '../schema/indicator/level.js';

/**
 * The early-warning rules, as pure functions over one series (indicator × country), so the write path,
 * the recompute command and the tests share one definition.
 *
 * THRESHOLD: the value's level (watch / warning / critical, read in the indicator's worse direction) is
 *   above the level of the previous period's value: a new or escalated condition. A level that merely
 *   persists from one period to the next raises nothing new.
 * TREND: the value is far from its recent baseline: z = (value − mean) / sd over the previous 12
 *   periods in force (at least 6 needed), counted in the worse direction; z ≥ 2.5 WATCH, ≥ 3 WARNING,
 *   ≥ 4 CRITICAL. The standard deviation is floored at 5 % of |mean| so a flat series does not alert on
 *   noise-free data for tiny changes.
 * A rule raises an alert for a period only if no alert of that rule for that period has this level or a
 * higher one yet (a correction can escalate, never duplicate).
 */

export const LEVELS = ['NONE', 'WATCH', 'WARNING', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];
export const rank = (level: string) => LEVELS.indexOf(level as Level);

const TLP_ORDER = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const;
type Tlp = (typeof TLP_ORDER)[number];
export function mostRestrictive(markings: readonly string[]): Tlp {
  return TLP_ORDER[Math.max(0, ...markings.map((m) => TLP_ORDER.indexOf(m as Tlp)))]!;
}

export const TREND_WINDOW = 12;
export const TREND_MIN_POINTS = 6;
const TREND_LEVELS: [number, Level][] = [
  [4, 'CRITICAL'],
  [3, 'WARNING'],
  [2.5, 'WATCH'],
];

export interface SeriesPoint {
  id: string;
  periodStart: string;
  value: number;
  tlp: string;
}

export interface IndicatorSpec extends ThresholdSpec {
  periodicity: 'MONTHLY' | 'QUARTERLY' | 'ANNUAL';
}

export interface AlertCandidate {
  rule: 'THRESHOLD' | 'TREND';
  level: Exclude<Level, 'NONE'>;
  value: number;
  threshold: number | null;
  baselineMean: number | null;
  baselineStdDev: number | null;
  zScore: number | null;
  tlp: string;
  observationIds: string[];
}

/** The first day of the period before `periodStart`, in the indicator's periodicity. */
export function previousPeriodStart(periodStart: string, periodicity: IndicatorSpec['periodicity']): string {
  const [y, m] = periodStart.split('-').map(Number) as [number, number];
  const months = periodicity === 'MONTHLY' ? 1 : periodicity === 'QUARTERLY' ? 3 : 12;
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

function thresholdOf(spec: ThresholdSpec, level: Level): number {
  return level === 'CRITICAL' ? spec.thresholdCritical : level === 'WARNING' ? spec.thresholdWarning : spec.thresholdWatch;
}

/**
 * Candidates for one point, given the series' points in force before it (ascending by period).
 * `existing` is the highest level already alerted for this period, per rule.
 */
export function evaluate(
  spec: IndicatorSpec,
  point: SeriesPoint,
  before: readonly SeriesPoint[],
  existing: Partial<Record<'THRESHOLD' | 'TREND', string>> = {},
): AlertCandidate[] {
  const candidates: AlertCandidate[] = [];
  const level = levelOf(point.value, spec) as Level;
  const previous = before.at(-1);
  const previousLevel =
    previous && previous.periodStart === previousPeriodStart(point.periodStart, spec.periodicity) ? (levelOf(previous.value, spec) as Level) : 'NONE';
  if (rank(level) > rank(previousLevel) && rank(level) > rank(existing.THRESHOLD ?? 'NONE')) {
    candidates.push({
      rule: 'THRESHOLD',
      level: level as AlertCandidate['level'],
      value: point.value,
      threshold: thresholdOf(spec, level),
      baselineMean: null,
      baselineStdDev: null,
      zScore: null,
      tlp: point.tlp,
      observationIds: [point.id],
    });
  }

  const window = before.slice(-TREND_WINDOW);
  if (window.length >= TREND_MIN_POINTS) {
    const mean = window.reduce((s, p) => s + p.value, 0) / window.length;
    const variance = window.reduce((s, p) => s + (p.value - mean) ** 2, 0) / (window.length - 1);
    const sd = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.05, 1e-9);
    const z = (point.value - mean) / sd;
    const worse = spec.worseDirection === 'HIGHER' ? z : -z;
    const trendLevel = TREND_LEVELS.find(([limit]) => worse >= limit)?.[1];
    if (trendLevel && rank(trendLevel) > rank(existing.TREND ?? 'NONE')) {
      const involved = [point, ...window];
      candidates.push({
        rule: 'TREND',
        level: trendLevel as AlertCandidate['level'],
        value: point.value,
        threshold: null,
        baselineMean: mean,
        baselineStdDev: sd,
        zScore: z,
        tlp: mostRestrictive(involved.map((p) => p.tlp)),
        observationIds: involved.map((p) => p.id),
      });
    }
  }
  return candidates;
}
