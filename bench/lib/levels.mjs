// THE level rule of src/alerts/levels.ts, as PostGraphile's client applies it to what it read through the
// derived schema in the same request: the indicator (basis, scale, direction, default thresholds), the
// country's own thresholds for it (indicatorCountryThresholdsByIndicatorCode) and the country's population
// figures (countryPopulationsByCountryIso3, ascending by year). PostGraphile has no computed `level`; its
// client turns the thresholds into levels, as the API's mapper does (lib/workloads.mjs fingerprint).

const PER = 100_000;

/** The figure a period of `year` divides by: that year's, else the nearest before, else the earliest after. */
function populationFor(figures, year) {
  let chosen;
  for (const f of figures) if (f.year <= year) chosen = f;
  return chosen ?? figures[0];
}

/**
 * The level of `value` in period `periodStart` (YYYY-MM-DD) of a series: `own` is the country's thresholds
 * row (or undefined: the indicator's hold), `figures` the country's population figures. On the PER_100K
 * basis a COUNT is compared per 100,000 population; without a figure (or for a measure) no level: NONE.
 */
export function levelOf(indicator, own, figures, periodStart, value) {
  const t = own ?? indicator;
  let measured = value;
  if (indicator.thresholdBasis === 'PER_100K') {
    const figure = indicator.scale === 'COUNT' ? populationFor(figures ?? [], Number(periodStart.slice(0, 4))) : undefined;
    const population = figure ? Number(figure.population) : 0;
    measured = population > 0 ? (value / population) * PER : null;
  }
  if (measured === null) return 'NONE';
  const reaches = (x) => (indicator.worseDirection === 'HIGHER' ? measured >= x : measured <= x);
  return reaches(t.thresholdCritical) ? 'CRITICAL' : reaches(t.thresholdWarning) ? 'WARNING' : reaches(t.thresholdWatch) ? 'WATCH' : 'NONE';
}
