import { levelOf, type ThresholdSpec } from '../schema/indicator/level.js';

/**
 * The early-warning rules, as pure functions over one series (indicator × country × source), so the
 * write path, the recompute command and the tests share one definition.
 *
 * A series' spec carries the thresholds in force for its country, on the indicator's basis (the value, or
 * its rate per 100,000 population: SeriesPoint.rate), as src/alerts/levels.ts resolves them.
 *
 * THRESHOLD: the value's level (watch / warning / critical, read in the indicator's worse direction) is
 *   above the level of the previous period's value: a new or escalated condition. A level that merely
 *   persists from one period to the next raises nothing new. The previous value is one of the values
 *   behind the alert (its marking counts, and a viewer who may not see it does not see the alert).
 * TREND: the value is far from its recent baseline (the previous 12 values in force, at least 6), in the
 *   worse direction, AND at least at the watch level (unless the indicator opts out: trendBelowWatch).
 *   - A measure (a share, an index, a rate): z = (value − mean) / sd; z ≥ 2.5 WATCH, ≥ 3 WARNING, ≥ 4
 *     CRITICAL. The standard deviation is floored at 5 % of |mean| so a flat series does not alert on tiny
 *     changes.
 *   - A count (incidents, cases, items): a z-score on small counts floods (4 against a mean of 3 was z 6.7,
 *     CRITICAL), so counts are judged by how unlikely the value is under a count model of the baseline:
 *     Poisson, or a negative binomial fitted by moments when the baseline varies more than Poisson allows.
 *     The tail probabilities are those of the z limits above (0.62 %, 0.135 %, 0.0032 %), so a level means
 *     the same for both kinds. The baseline mean is floored at 0.5 (a run of zeros does not make one
 *     incident impossible).
 * Which alerts hold for a period is decided afresh each time (`evaluate`); `reconcile` turns that into
 * alerts kept, superseded and raised.
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
/** One-sided normal tail probabilities of the z limits above: a count's level means the same as a measure's. */
const COUNT_TAIL_LEVELS: [number, Level][] = [
  [3.167e-5, 'CRITICAL'],
  [1.35e-3, 'WARNING'],
  [6.21e-3, 'WATCH'],
];
const MIN_COUNT_MEAN = 0.5;

export interface SeriesPoint {
  id: string;
  periodStart: string;
  value: number;
  /** Per 100,000 population (COUNT indicators; null without a population figure). */
  rate?: number | null;
  tlp: string;
  /** When this value (revision) was recorded: an alert is known from the latest of its values. */
  recordedAt: Date;
}

/** One series' rules: its indicator's options and the thresholds in force for its country (levels.ts). */
export interface IndicatorSpec extends ThresholdSpec {
  /** What the thresholds are read against: the value, or its rate per 100,000 population. */
  basis: 'ABSOLUTE' | 'PER_100K';
  periodicity: 'MONTHLY' | 'QUARTERLY' | 'ANNUAL';
  /** COUNT: whole events per period, judged by a count model; MEASURE: anything else, by z-score. */
  scale: 'COUNT' | 'MEASURE';
  /** TREND may fire below the watch level (the owner's choice for indicators where any break matters). */
  trendBelowWatch: boolean;
}

export type Rule = 'THRESHOLD' | 'TREND';

export interface AlertCandidate {
  rule: Rule;
  level: Exclude<Level, 'NONE'>;
  value: number;
  /** On the thresholds' basis: a PER_100K threshold is a rate. */
  threshold: number | null;
  /** The rate a PER_100K threshold was compared with; null on the ABSOLUTE basis. */
  rate: number | null;
  baselineMean: number | null;
  baselineStdDev: number | null;
  zScore: number | null;
  /** COUNT trends: the probability of a value at least this bad under the baseline's count model. */
  tailProbability: number | null;
  tlp: string;
  observationIds: string[];
  /** The latest recorded time of the values behind it: when the condition became known. */
  knownAt: Date;
}

const MONTHS = { MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12 } as const;

/** The first day of the period `n` periods after `periodStart` (negative: before), in the indicator's periodicity. */
export function shiftPeriodStart(periodStart: string, periodicity: IndicatorSpec['periodicity'], n: number): string {
  const [y, m] = periodStart.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n * MONTHS[periodicity];
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The first day of the period before `periodStart`, in the indicator's periodicity. */
export const previousPeriodStart = (periodStart: string, periodicity: IndicatorSpec['periodicity']) => shiftPeriodStart(periodStart, periodicity, -1);

function thresholdOf(spec: ThresholdSpec, level: Level): number {
  return level === 'CRITICAL' ? spec.thresholdCritical : level === 'WARNING' ? spec.thresholdWarning : spec.thresholdWatch;
}

const latest = (points: readonly SeriesPoint[]) => new Date(Math.max(...points.map((p) => p.recordedAt.getTime())));

// ---- Count model ----

/** ln Γ(x) for x > 0 (Lanczos, g = 7): enough for tail probabilities of counts. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X = k) under Poisson(mean), or a negative binomial with that mean and variance when variance > mean. */
function countPmf(k: number, mean: number, variance: number): number {
  if (variance <= mean) return Math.exp(k * Math.log(mean) - mean - logGamma(k + 1));
  const r = (mean * mean) / (variance - mean);
  const p = r / (r + mean);
  return Math.exp(logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(p) + k * Math.log(1 - p));
}

/** The probability of a count at least as bad as `value` (≥ when higher is worse, ≤ when lower is). */
export function countTail(value: number, mean: number, variance: number, worse: 'HIGHER' | 'LOWER'): number {
  const k = Math.round(value);
  let below = 0; // P(X < k)
  for (let i = 0; i < k; i++) below += countPmf(i, mean, variance);
  const tail = worse === 'HIGHER' ? 1 - below : below + countPmf(k, mean, variance);
  return Math.min(1, Math.max(0, tail));
}

// ---- Rules ----

/** A point's level against the series' thresholds, on their basis (a rate without a population: NONE). */
function pointLevel(spec: IndicatorSpec, point: SeriesPoint): Level {
  const measured = spec.basis === 'PER_100K' ? point.rate : point.value;
  return measured === null || measured === undefined ? 'NONE' : (levelOf(measured, spec) as Level);
}

function thresholdCandidate(spec: IndicatorSpec, point: SeriesPoint, before: readonly SeriesPoint[]): AlertCandidate | null {
  const level = pointLevel(spec, point);
  const previous = before.at(-1);
  const compared = previous && previous.periodStart === previousPeriodStart(point.periodStart, spec.periodicity) ? previous : null;
  const previousLevel = compared ? pointLevel(spec, compared) : 'NONE';
  if (rank(level) <= rank(previousLevel)) return null;
  const involved = compared ? [point, compared] : [point];
  return {
    rule: 'THRESHOLD',
    level: level as AlertCandidate['level'],
    value: point.value,
    threshold: thresholdOf(spec, level),
    rate: spec.basis === 'PER_100K' ? (point.rate ?? null) : null,
    baselineMean: null,
    baselineStdDev: null,
    zScore: null,
    tailProbability: null,
    tlp: mostRestrictive(involved.map((p) => p.tlp)),
    observationIds: involved.map((p) => p.id),
    knownAt: latest(involved),
  };
}

function trendCandidate(spec: IndicatorSpec, point: SeriesPoint, before: readonly SeriesPoint[]): AlertCandidate | null {
  const window = before.slice(-TREND_WINDOW);
  if (window.length < TREND_MIN_POINTS) return null;
  if (!spec.trendBelowWatch && pointLevel(spec, point) === 'NONE') return null;
  const mean = window.reduce((s, p) => s + p.value, 0) / window.length;
  const variance = window.reduce((s, p) => s + (p.value - mean) ** 2, 0) / (window.length - 1);
  const worseIsHigher = spec.worseDirection === 'HIGHER';
  let level: Level | undefined;
  let sd: number;
  let tailProbability: number | null = null;
  if (spec.scale === 'COUNT') {
    const countMean = Math.max(mean, MIN_COUNT_MEAN);
    const worse = worseIsHigher ? point.value > countMean : point.value < countMean;
    sd = Math.sqrt(Math.max(variance, countMean));
    tailProbability = countTail(point.value, countMean, variance, spec.worseDirection);
    level = worse ? COUNT_TAIL_LEVELS.find(([limit]) => tailProbability! <= limit)?.[1] : undefined;
  } else {
    sd = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.05, 1e-9);
    const z = (point.value - mean) / sd;
    level = TREND_LEVELS.find(([limit]) => (worseIsHigher ? z : -z) >= limit)?.[1];
  }
  if (!level) return null;
  const involved = [point, ...window];
  return {
    rule: 'TREND',
    level: level as AlertCandidate['level'],
    value: point.value,
    threshold: null,
    rate: spec.basis === 'PER_100K' ? (point.rate ?? null) : null,
    baselineMean: mean,
    baselineStdDev: sd,
    zScore: (point.value - mean) / sd,
    tailProbability,
    tlp: mostRestrictive(involved.map((p) => p.tlp)),
    observationIds: involved.map((p) => p.id),
    knownAt: latest(involved),
  };
}

/** The alerts that hold for one point, given the series' points in force before it (ascending by period). */
export function evaluate(spec: IndicatorSpec, point: SeriesPoint, before: readonly SeriesPoint[]): AlertCandidate[] {
  return [thresholdCandidate(spec, point, before), trendCandidate(spec, point, before)].filter((c): c is AlertCandidate => c !== null);
}

/** An alert in force (not superseded) for a period of the series being reconciled. */
export interface StandingAlert {
  id: string;
  periodStart: string;
  rule: Rule;
  level: string;
}

/**
 * What to do with the alerts of re-evaluated periods: an alert that still holds (same period, rule and
 * level) is kept, with its id and times; one that no longer holds, or holds at another level, is
 * superseded; a condition no standing alert expresses is raised. Of two standing alerts at the same level
 * (written before this rule existed), the first is kept.
 */
export function reconcile(
  holding: readonly (AlertCandidate & { periodStart: string })[],
  standing: readonly StandingAlert[],
): { keep: string[]; supersede: string[]; raise: (AlertCandidate & { periodStart: string })[] } {
  const key = (periodStart: string, rule: string, level: string) => `${periodStart}|${rule}|${level}`;
  const wanted = new Map(holding.map((c) => [key(c.periodStart, c.rule, c.level), c]));
  const keep: string[] = [];
  const supersede: string[] = [];
  const kept = new Set<string>();
  for (const a of standing) {
    const k = key(a.periodStart, a.rule, a.level);
    if (wanted.has(k) && !kept.has(k)) {
      kept.add(k);
      keep.push(a.id);
    } else supersede.push(a.id);
  }
  return { keep, supersede, raise: [...wanted].filter(([k]) => !kept.has(k)).map(([, c]) => c) };
}
