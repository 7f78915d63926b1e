import { count, eq } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../database.js';
import { alerts } from '../schema/alerts.js';
import { recomputeAlerts } from '../queries/alert-writes.js';
import { publishIn, recordExistingRecords } from '../queries/change-feed.js';
import { loadLevelScales } from '../scales.js';
import {
  countries,
  countryPopulations,
  countryGroupMembers,
  countryGroups,
  grants,
  indicatorCountries,
  indicatorCountryGroups,
  indicatorCountryThresholds,
  indicators,
  meta,
  observations,
  organizationParents,
  organizations,
  reportCountries,
  reportIndicators,
  reports,
} from '../schema/index.js';
import { generateGrants } from './grants.js';
import { COUNTRY_THRESHOLDS, INDICATORS } from './indicators.js';
import { buildPopulations } from './populations.js';
import { generateObservations } from './observations.js';
import { COUNTRIES, ORGANIZATION_PARENTS, buildCountryGroups, buildOrganizations } from './reference.js';
import { generateReports } from './reports.js';

export const SAMPLE_DATA_KEY = 'sample_data';
// v3: values only for the countries each indicator applies to (issue 15).
// v4: population figures, Afghanistan's own incident thresholds, arrests judged per 100,000 (issue 15).
export const SAMPLE_DATA_VERSION = 'ct-ewn-sample-v4';

export interface SeedOptions {
  reports?: number;
  years?: number;
  extraOrganizations?: number;
  seed?: number;
}

export interface SeedResult {
  seeded: boolean;
  counts: Record<string, number>;
}

const DEFAULTS = { reports: 3000, years: 5, extraOrganizations: 0, seed: 1 } as const;
// ~500 rows per statement stays far below PostgreSQL's 65,535 bind parameters for the widest table.
const CHUNK = 500;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

function markerFor(options: SeedOptions): string {
  return `${SAMPLE_DATA_VERSION} seed=${options.seed ?? DEFAULTS.seed}`;
}

/** Every row of the sample data set, built in memory without a database: the same options always give
 * the same rows, ids included. */
export function buildSampleData(options: SeedOptions = {}) {
  const o = {
    reports: options.reports ?? DEFAULTS.reports,
    years: options.years ?? DEFAULTS.years,
    extraOrganizations: options.extraOrganizations ?? DEFAULTS.extraOrganizations,
    seed: options.seed ?? DEFAULTS.seed,
  };
  const orgs = buildOrganizations(o.extraOrganizations);
  const authors = orgs.filter((org) => org.active !== false).map((org) => org.id);
  const generated = generateReports(o.seed, o.reports, authors, INDICATORS);
  const observationRows = generateObservations(o.seed, o.years, INDICATORS);
  const countryGroupRows = buildCountryGroups();
  return {
    countries: [...COUNTRIES],
    countryPopulations: buildPopulations(),
    countryGroups: countryGroupRows.groups,
    countryGroupMembers: countryGroupRows.members,
    organizations: orgs,
    organizationParents: [...ORGANIZATION_PARENTS],
    indicators: INDICATORS.map(({ appliesTo: _, ...row }) => row),
    indicatorCountries: INDICATORS.flatMap((i) => i.appliesTo.countries.map((countryIso3) => ({ indicatorCode: i.code, countryIso3 }))),
    indicatorCountryGroups: INDICATORS.flatMap((i) => i.appliesTo.groups.map((groupCode) => ({ indicatorCode: i.code, groupCode }))),
    indicatorCountryThresholds: [...COUNTRY_THRESHOLDS],
    observations: observationRows,
    reports: generated.reports,
    reportCountries: generated.reportCountries,
    reportIndicators: generated.reportIndicators,
    grants: generateGrants(o.seed, generated.reports, observationRows),
  };
}

export type SampleData = ReturnType<typeof buildSampleData>;

async function insertAll<T extends PgTable>(tx: Tx, table: T, rows: readonly PgInsertValue<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx.insert(table).values(rows.slice(i, i + CHUNK));
  }
}

const COUNTED = {
  countries,
  countryPopulations,
  countryGroups,
  countryGroupMembers,
  organizations,
  organizationParents,
  indicators,
  indicatorCountries,
  indicatorCountryGroups,
  indicatorCountryThresholds,
  observations,
  reports,
  reportCountries,
  reportIndicators,
  grants,
  alerts,
} as const;

export async function countSampleTables(db: Db | Tx): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(COUNTED)) {
    const [row] = await db.select({ n: count() }).from(table);
    counts[name] = row?.n ?? 0;
  }
  return counts;
}

/** Each revision but a value's latest marked superseded when the next one was recorded (a value: one source's figure). */
function withSupersession<O extends { indicatorCode: string; countryIso3: string; periodStart: string; sourceOrgId: string; revision?: number; recordedAt: Date }>(rows: readonly O[]): (O & { supersededAt: Date | null })[] {
  const byValue = new Map<string, O[]>();
  for (const row of rows) {
    const key = `${row.indicatorCode}|${row.countryIso3}|${row.periodStart}|${row.sourceOrgId}`;
    const list = byValue.get(key);
    if (list) list.push(row);
    else byValue.set(key, [row]);
  }
  const next = new Map<O, Date>();
  for (const list of byValue.values()) {
    list.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || (a.revision ?? 1) - (b.revision ?? 1));
    list.forEach((row, i) => {
      const later = list[i + 1];
      if (later) next.set(row, later.recordedAt);
    });
  }
  return rows.map((row) => ({ ...row, supersededAt: next.get(row) ?? null }));
}

export async function hasSampleData(db: Db): Promise<boolean> {
  const rows = await db.select({ key: meta.key }).from(meta).where(eq(meta.key, SAMPLE_DATA_KEY));
  return rows.length > 0;
}

/**
 * Fills an empty database with the sample network. Idempotent: the meta row 'sample_data' marks a seeded
 * database, and claiming it is the transaction's first statement, so a second seeder (even a concurrent
 * one) finds the key taken and does nothing. One transaction: a seed killed halfway leaves no rows.
 */
export async function seedSampleData(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(meta)
      .values({ key: SAMPLE_DATA_KEY, value: markerFor(options) })
      .onConflictDoNothing()
      .returning({ key: meta.key });
    if (claimed.length === 0) return { seeded: false, counts: await countSampleTables(tx) };

    const data = buildSampleData(options);

    await insertAll(tx, countries, data.countries);
    await insertAll(tx, countryPopulations, data.countryPopulations);
    await insertAll(tx, countryGroups, data.countryGroups);
    await insertAll(tx, countryGroupMembers, data.countryGroupMembers);
    await insertAll(tx, organizations, data.organizations);
    await insertAll(tx, organizationParents, data.organizationParents);
    await insertAll(tx, indicators, data.indicators);
    await insertAll(tx, indicatorCountries, data.indicatorCountries);
    await insertAll(tx, indicatorCountryGroups, data.indicatorCountryGroups);
    await insertAll(tx, indicatorCountryThresholds, data.indicatorCountryThresholds);
    await insertAll(tx, reports, data.reports);
    await insertAll(tx, reportCountries, data.reportCountries);
    await insertAll(tx, reportIndicators, data.reportIndicators);
    // A correction supersedes the revision before it (reads "as of" an instant rely on this mark), and
    // only one revision of a value may be in force: marked before the rows are written.
    await insertAll(tx, observations, withSupersession(data.observations));
    await insertAll(tx, grants, data.grants);
    // Written in bulk, not through the write functions: their change-feed entries are written here.
    await recordExistingRecords(tx);
    await publishIn(tx);
    // Alerts of the sample history, by the same rules as live writes.
    await recomputeAlerts(tx, await loadLevelScales(tx));
    return { seeded: true, counts: await countSampleTables(tx) };
  });
}
