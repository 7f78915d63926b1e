import type { countryPopulations } from '../schema/index.js';
import { SERIES_END } from './calendar.js';
import { COUNTRY_CODES, type CountryCode } from './reference.js';

type PopulationInsert = typeof countryPopulations.$inferInsert;

/**
 * The sample's population figures: mid-year 2024 in the order of magnitude of UN DESA's World Population
 * Prospects 2024, rounded, with a steady growth rate — demonstration figures, labelled as such in their
 * source so nobody quotes them. An operator records the real ones (setPopulation) with their source.
 */
const BASE_2024: Record<CountryCode, readonly [population: number, growth: number]> = {
  KAZ: [20_600_000, 0.012],
  KGZ: [7_200_000, 0.016],
  TJK: [10_600_000, 0.02],
  TKM: [7_500_000, 0.013],
  UZB: [36_400_000, 0.019],
  AFG: [42_600_000, 0.026],
};
export const POPULATION_SOURCE = 'Sample figures for demonstration, rounded, after the order of magnitude of UN DESA World Population Prospects 2024';
const FIRST_YEAR = 2018;

export function samplePopulation(country: CountryCode, year: number): number {
  const [base, growth] = BASE_2024[country];
  return Math.round((base * (1 + growth) ** (year - 2024)) / 1000) * 1000;
}

/** A figure per country and year from 2018 to the series' last year. */
export function buildPopulations(): PopulationInsert[] {
  const rows: PopulationInsert[] = [];
  for (const country of COUNTRY_CODES) {
    for (let year = FIRST_YEAR; year <= SERIES_END.year; year++) rows.push({ countryIso3: country, year, population: samplePopulation(country, year), source: POPULATION_SOURCE });
  }
  return rows;
}
