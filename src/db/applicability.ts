import { getTableName, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { countries } from './schema/countries.js';
import { countryGroupMembers, countryGroups } from './schema/country-groups.js';
import { indicatorCountries, indicatorCountryGroups, indicators } from './schema/indicators.js';

/**
 * THE applicability rule: an indicator applies to a country it names, or to a member of a country group
 * (a role, e.g. the states bordering Afghanistan) it names. A series (indicator × country) exists only
 * where it applies: every read of series (nested lists, latest values, the export, alert lists) includes
 * this predicate, and the write validator reads the same rule (applicabilityOf) to refuse values outside
 * it. Which countries hold which role is reference data (country_group_members), never code.
 */
export function appliesTo(indicator: SQLWrapper, country: SQLWrapper): SQL {
  const named = sql.identifier('applies_named');
  const declared = sql.identifier('applies_group');
  const member = sql.identifier('applies_member');
  return sql`(exists (select 1 from ${indicatorCountries} as ${named} where ${named}.indicator_code = ${indicator} and ${named}.country_iso3 = ${country})
    or exists (select 1 from ${indicatorCountryGroups} as ${declared} join ${countryGroupMembers} as ${member} on ${member}.group_code = ${declared}.group_code
      where ${declared}.indicator_code = ${indicator} and ${member}.country_iso3 = ${country}))`;
}

/** A column named with its table, whatever the context (drizzle leaves columns bare in a one-table select list). */
export function qualified(column: AnyPgColumn): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/** A country group as an indicator's declaration names it, with its members (sorted ISO codes). */
export interface DeclaredGroup {
  code: string;
  nameEn: string;
  nameRu: string;
  countries: string[];
}

/** Where an indicator applies, as declared and as resolved by appliesTo. */
export interface Applicability {
  /** Every country it applies to (sorted ISO alpha-3 codes). */
  countries: string[];
  /** The countries it names one by one. */
  named: string[];
  /** The country groups it names, by code. */
  groups: DeclaredGroup[];
}

/**
 * The applicability of the `indicators` row in scope, as one JSON value: a column beside the indicator's
 * own in any read of the indicators table (the reference snapshot, the write validator's reference read),
 * so knowing it costs no statement of its own.
 */
export function applicabilityOf(): SQL<Applicability> {
  const code = qualified(indicators.code);
  const c = sql.identifier('applicable_country');
  const n = sql.identifier('named_country');
  const d = sql.identifier('declared_group');
  const g = sql.identifier('country_group');
  const m = sql.identifier('group_member');
  return sql<Applicability>`json_build_object(
    'countries', array(select ${c}.iso3::text from ${countries} as ${c} where ${appliesTo(code, sql`${c}.iso3`)} order by 1),
    'named', array(select ${n}.country_iso3::text from ${indicatorCountries} as ${n} where ${n}.indicator_code = ${code} order by 1),
    'groups', coalesce((select json_agg(json_build_object('code', ${g}.code, 'nameEn', ${g}.name_en, 'nameRu', ${g}.name_ru,
        'countries', array(select ${m}.country_iso3::text from ${countryGroupMembers} as ${m} where ${m}.group_code = ${g}.code order by 1)) order by ${g}.code)
      from ${indicatorCountryGroups} as ${d} join ${countryGroups} as ${g} on ${g}.code = ${d}.group_code where ${d}.indicator_code = ${code}), '[]'::json))`;
}
