import type { Viewer } from '../../auth/viewer.js';
import { shiftPeriodStart } from '../../alerts/rules.js';
import type { Db } from '../database.js';
import type { IndicatorRow } from '../schema/indicators.js';
import type { ObservationRow } from '../schema/observations.js';
import { openAlertCounts } from './alerts.js';
import { latestPerSource, valuesOfPeriods } from './observations.js';
import { latestReportsByTopic, type ReportRead } from './reports.js';

/** One source's series as the overview shows it: its latest value, the period before, the same period a year before. */
export interface SeriesOverviewRow {
  current: ObservationRow;
  previous: ObservationRow | null;
  yearBefore: ObservationRow | null;
}

export interface OverviewRows {
  series: SeriesOverviewRow[];
  alertCounts: Record<string, number>;
  reportsByTopic: Map<string, ReportRead[]>;
}

const valueKey = (o: { indicatorCode: string; countryIso3: string; sourceOrgId: string; periodStart: string }) => `${o.indicatorCode}|${o.countryIso3}|${o.sourceOrgId}|${o.periodStart}`;
const PERIODS_PER_YEAR = { MONTHLY: 12, QUARTERLY: 4, ANNUAL: 1 } as const;

/**
 * What an analyst opens first, for some countries (one, or the region), in four statements whatever their
 * number: the latest value of every source's series, those series' previous period and the same period a
 * year before, the open alerts by level, and the newest reports per topic — all under the viewer's row and
 * revision rules (a value the viewer may not see is neither a current value nor a point of comparison).
 */
export async function overviewOf(
  db: Db,
  viewer: Viewer,
  options: { countries: readonly string[]; reportCountry: string | null; topics: readonly string[]; reportsPerTopic: number; indicators: ReadonlyMap<string, IndicatorRow> },
): Promise<OverviewRows> {
  const [latest, alertCounts, reportsByTopic] = await Promise.all([
    latestPerSource(db, viewer, options.countries),
    openAlertCounts(db, viewer, options.countries),
    latestReportsByTopic(db, viewer, options.topics, options.reportCountry, options.reportsPerTopic),
  ]);
  const compared = latest.flatMap((o) => {
    const periodicity = options.indicators.get(o.indicatorCode)?.periodicity ?? 'MONTHLY';
    return [shiftPeriodStart(o.periodStart, periodicity, -1), shiftPeriodStart(o.periodStart, periodicity, -PERIODS_PER_YEAR[periodicity])].map((periodStart) => ({
      indicator: o.indicatorCode,
      country: o.countryIso3,
      periodStart,
    }));
  });
  const earlier = new Map((await valuesOfPeriods(db, viewer, compared)).map((o) => [valueKey(o), o]));
  const series = latest.map((current) => {
    const periodicity = options.indicators.get(current.indicatorCode)?.periodicity ?? 'MONTHLY';
    const at = (n: number) => earlier.get(valueKey({ ...current, periodStart: shiftPeriodStart(current.periodStart, periodicity, -n) })) ?? null;
    return { current, previous: at(1), yearBefore: at(PERIODS_PER_YEAR[periodicity]) };
  });
  return { series, alertCounts, reportsByTopic };
}
