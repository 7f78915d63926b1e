import type { IndicatorRow } from '../db/schema/indicators.js';
import type { IndicatorSpec } from './rules.js';
import { levelOf, type ThresholdSpec } from '../schema/indicator/level.js';
import { AlertLevel } from '../schema/common/enums.js';

/**
 * THE thresholds a value is judged by, in one place for every path that computes a level: the observation
 * mapper, the SQL path, the overview, the alert rules on write and on recompute.
 *
 * - A country may have its own thresholds for an indicator; otherwise the indicator's defaults hold.
 * - An indicator's thresholds are read on its basis: ABSOLUTE (the value) or, for counts, PER_100K (the value
 *   per 100,000 of the country's population in the period's year), so a level compares across states. A
 *   PER_100K series of a country without any population figure has no rate and no level (NONE); writes to
 *   one are refused until a figure is recorded (observation-writes), so this happens only if an operator
 *   removes figures by hand.
 */

export type ThresholdBasis = 'ABSOLUTE' | 'PER_100K';

export interface CountryThresholds {
  country: string;
  watch: number;
  warning: number;
  critical: number;
  note: string;
  updatedAt: string;
}

export interface PopulationFigure {
  year: number;
  population: number;
  source: string;
}

/** The thresholds in force for one series: the country's own, or the indicator's defaults (country null). */
export interface SeriesThresholds extends ThresholdSpec {
  basis: ThresholdBasis;
  /** The country whose own thresholds these are; null: the indicator's defaults. */
  country: string | null;
  note: string | null;
}

const PER = 100_000;

export class LevelScales {
  constructor(
    readonly indicators: ReadonlyMap<string, IndicatorRow>,
    /** Each indicator's country thresholds, by indicator code then country. */
    private readonly overrides: ReadonlyMap<string, ReadonlyMap<string, CountryThresholds>>,
    /** Each country's population figures, ascending by year. */
    private readonly populations: ReadonlyMap<string, readonly PopulationFigure[]>,
  ) {}

  /** The country thresholds an indicator has (sorted by country). */
  countryThresholdsOf(code: string): CountryThresholds[] {
    return [...(this.overrides.get(code)?.values() ?? [])].sort((a, b) => a.country.localeCompare(b.country));
  }

  thresholdsFor(code: string, country: string): SeriesThresholds | undefined {
    const indicator = this.indicators.get(code);
    if (!indicator) return undefined;
    const own = this.overrides.get(code)?.get(country);
    const basis = indicator.thresholdBasis;
    const { worseDirection } = indicator;
    if (own) return { worseDirection, basis, country, note: own.note, thresholdWatch: own.watch, thresholdWarning: own.warning, thresholdCritical: own.critical };
    return { worseDirection, basis, country: null, note: null, thresholdWatch: indicator.thresholdWatch, thresholdWarning: indicator.thresholdWarning, thresholdCritical: indicator.thresholdCritical };
  }

  /** The rules' view of one series: its indicator's options with the thresholds in force for its country. */
  seriesSpec(code: string, country: string): IndicatorSpec | undefined {
    const indicator = this.indicators.get(code);
    const thresholds = this.thresholdsFor(code, country);
    if (!indicator || !thresholds) return undefined;
    return { ...thresholds, periodicity: indicator.periodicity, scale: indicator.scale, trendBelowWatch: indicator.trendBelowWatch };
  }

  populationsOf(country: string): readonly PopulationFigure[] {
    return this.populations.get(country) ?? [];
  }

  /** The figure a period of `year` divides by: that year's, else the nearest before, else the earliest after. */
  populationFor(country: string, year: number): PopulationFigure | undefined {
    const figures = this.populationsOf(country);
    let chosen: PopulationFigure | undefined;
    for (const f of figures) if (f.year <= year) chosen = f;
    return chosen ?? figures[0];
  }

  /** A COUNT's value per 100,000 population in the period's year; null for measures and without a figure. */
  rateOf(code: string, country: string, periodStart: string, value: number): number | null {
    if (this.indicators.get(code)?.scale !== 'COUNT') return null;
    const figure = this.populationFor(country, Number(periodStart.slice(0, 4)));
    return figure && figure.population > 0 ? (value / figure.population) * PER : null;
  }

  /** What the series' thresholds are compared with: the value, or its rate (null: no level can be told). */
  measured(code: string, country: string, periodStart: string, value: number): number | null {
    const indicator = this.indicators.get(code);
    if (!indicator) return null;
    return indicator.thresholdBasis === 'PER_100K' ? this.rateOf(code, country, periodStart, value) : value;
  }

  levelOf(code: string, country: string, periodStart: string, value: number): AlertLevel {
    const thresholds = this.thresholdsFor(code, country);
    const measured = this.measured(code, country, periodStart, value);
    return thresholds && measured !== null ? levelOf(measured, thresholds) : AlertLevel.NONE;
  }
}
