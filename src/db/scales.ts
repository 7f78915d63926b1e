import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.js';
import { LevelScales, type CountryThresholds, type PopulationFigure } from '../alerts/levels.js';
import { qualified } from './applicability.js';
import { countries, countryPopulations } from './schema/countries.js';
import { indicatorCountryThresholds, indicators, type IndicatorRow } from './schema/indicators.js';

/**
 * The reference reads behind LevelScales, as JSON columns beside the rows the reference reads already
 * select (indicators, countries), as applicabilityOf is: knowing them costs no statement of its own.
 */

/** The `indicators` row in scope's country thresholds, as a JSON array. */
export function countryThresholdsOf(): SQL<CountryThresholds[]> {
  const t = sql.identifier('country_threshold');
  return sql<CountryThresholds[]>`coalesce((select json_agg(json_build_object('country', ${t}.country_iso3, 'watch', ${t}.threshold_watch,
      'warning', ${t}.threshold_warning, 'critical', ${t}.threshold_critical, 'note', ${t}.note, 'updatedAt', ${t}.updated_at) order by ${t}.country_iso3)
    from ${indicatorCountryThresholds} as ${t} where ${t}.indicator_code = ${qualified(indicators.code)}), '[]'::json)`;
}

/** The `countries` row in scope's population figures, ascending by year, as a JSON array. */
export function populationsOf(): SQL<PopulationFigure[]> {
  const p = sql.identifier('country_population');
  return sql<PopulationFigure[]>`coalesce((select json_agg(json_build_object('year', ${p}.year, 'population', ${p}.population, 'source', ${p}.source) order by ${p}.year)
    from ${countryPopulations} as ${p} where ${p}.country_iso3 = ${qualified(countries.iso3)}), '[]'::json)`;
}

export function levelScalesOf(
  indicatorRows: readonly { indicator: IndicatorRow; countryThresholds: CountryThresholds[] }[],
  countryRows: readonly { iso3: string; populations: PopulationFigure[] }[],
): LevelScales {
  return new LevelScales(
    new Map(indicatorRows.map((i) => [i.indicator.code, i.indicator])),
    new Map(indicatorRows.map((i) => [i.indicator.code, new Map(i.countryThresholds.map((t) => [t.country, t]))])),
    new Map(countryRows.map((c) => [c.iso3, c.populations])),
  );
}

/** The scales alone (for the recompute command, the seed and tests): two statements. */
export async function loadLevelScales(db: Db | Parameters<Parameters<Db['transaction']>[0]>[0]): Promise<LevelScales> {
  const [indicatorRows, countryRows] = await Promise.all([
    db.select({ indicator: getTableColumns(indicators), countryThresholds: countryThresholdsOf() }).from(indicators),
    db.select({ iso3: countries.iso3, populations: populationsOf() }).from(countries),
  ]);
  return levelScalesOf(indicatorRows, countryRows);
}
