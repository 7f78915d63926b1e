import type { OverviewRows } from '../../db/queries/overview.js';
import type { LevelScales } from '../../alerts/levels.js';
import type { Topic } from '../common/enums.js';
import { toIndicator } from '../indicator/indicator.mapper.js';
import { toObservation } from '../observation/observation.mapper.js';
import { toReport } from '../report/report.mapper.js';
import { AlertCounts, IndicatorOverview, Overview, SeriesOverview, ThemeOverview, TopicReports } from './overview.type.js';

const difference = (a: { value: number }, b: { value: number } | null) => (b ? a.value - b.value : null);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function toOverview(rows: OverviewRows, levels: LevelScales, countryIso3: string | null): Overview {
  const seriesOf = new Map<string, SeriesOverview[]>();
  const sorted = [...rows.series].sort((a, b) => byText(a.current.countryIso3, b.current.countryIso3) || byText(a.current.sourceOrgId, b.current.sourceOrgId));
  for (const s of sorted) {
    const list = seriesOf.get(s.current.indicatorCode) ?? [];
    list.push(
      Object.assign(new SeriesOverview(), {
        current: toObservation(s.current, levels),
        previous: s.previous && toObservation(s.previous, levels),
        yearBefore: s.yearBefore && toObservation(s.yearBefore, levels),
        changeFromPrevious: difference(s.current, s.previous),
        changeFromYearBefore: difference(s.current, s.yearBefore),
      }),
    );
    seriesOf.set(s.current.indicatorCode, list);
  }
  const themes = new Map<string, IndicatorOverview[]>();
  for (const indicator of [...levels.indicators.values()].sort((a, b) => byText(a.code, b.code))) {
    const list = themes.get(indicator.theme) ?? [];
    list.push(Object.assign(new IndicatorOverview(), { indicator: toIndicator(indicator), series: seriesOf.get(indicator.code) ?? [] }));
    themes.set(indicator.theme, list);
  }
  return Object.assign(new Overview(), {
    countryIso3,
    themes: [...themes].map(([theme, list]) => Object.assign(new ThemeOverview(), { theme: theme as Topic, indicators: list })),
    openAlerts: Object.assign(new AlertCounts(), {
      watch: rows.alertCounts.WATCH ?? 0,
      warning: rows.alertCounts.WARNING ?? 0,
      critical: rows.alertCounts.CRITICAL ?? 0,
    }),
    latestReports: [...rows.reportsByTopic].map(([topic, reports]) => Object.assign(new TopicReports(), { topic: topic as Topic, reports: reports.map(toReport) })),
  });
}
