import { asc, getTableColumns, sql } from 'drizzle-orm';
import type { LevelScales } from '../alerts/levels.js';
import { applicabilityOf, type Applicability } from './applicability.js';
import { countryThresholdsOf, levelScalesOf, populationsOf } from './scales.js';
import type { Db } from './database.js';
import { countries, type CountryRow } from './schema/countries.js';
import { indicators, type IndicatorRow } from './schema/indicators.js';
import { organizationParents, organizations, type OrganizationRow } from './schema/organizations.js';

/**
 * The network's reference data: countries and their population figures, indicator definitions, where
 * they apply and their country thresholds, organizations and who supports whom.
 * Every viewer sees the same rows (the field policy still cuts restricted fields such as focal points),
 * none of it is TLP-marked, and it changes only by migration, seed or an operator's SQL. So it is
 * safely shared by all requests of a process, for a bounded time.
 */
export interface ReferenceData {
  countries: readonly CountryRow[];
  countryByIso3: ReadonlyMap<string, CountryRow>;
  indicatorByCode: ReadonlyMap<string, IndicatorRow>;
  /** Where each indicator applies (by code): its declaration and the countries it resolves to. */
  applicabilityByCode: ReadonlyMap<string, Applicability>;
  /** The thresholds each series is judged by and the population figures behind rates (src/alerts/levels.ts). */
  levels: LevelScales;
  organizationById: ReadonlyMap<string, OrganizationRow>;
  /** The organizations each organization supports (its parents), by id, sorted. */
  parentsOf: ReadonlyMap<string, readonly string[]>;
  /** The organizations supporting each organization (its clients), by id, sorted. */
  clientsOf: ReadonlyMap<string, readonly string[]>;
}

function linksBy(links: readonly { organizationId: string; parentId: string }[], key: 'organizationId' | 'parentId', value: 'organizationId' | 'parentId') {
  const index = new Map<string, string[]>();
  for (const link of links) {
    const list = index.get(link[key]);
    if (list) list.push(link[value]);
    else index.set(link[key], [link[value]]);
  }
  for (const list of index.values()) list.sort();
  return index;
}

async function loadReference(db: Db): Promise<ReferenceData> {
  const [countryRead, indicatorRows, organizationRows, links] = await Promise.all([
    db.select({ country: getTableColumns(countries), iso3: countries.iso3, populations: populationsOf() }).from(countries).orderBy(asc(countries.iso3)),
    db
      .select({ indicator: getTableColumns(indicators), applicability: applicabilityOf(), countryThresholds: countryThresholdsOf() })
      .from(indicators)
      .orderBy(asc(indicators.code)),
    db.select().from(organizations).orderBy(asc(organizations.id)),
    db.select().from(organizationParents),
  ]);
  const countryRows = countryRead.map((c) => c.country);
  return {
    countries: countryRows,
    countryByIso3: new Map(countryRows.map((c) => [c.iso3, c])),
    indicatorByCode: new Map(indicatorRows.map((i) => [i.indicator.code, i.indicator])),
    applicabilityByCode: new Map(indicatorRows.map((i) => [i.indicator.code, i.applicability])),
    levels: levelScalesOf(indicatorRows, countryRead),
    organizationById: new Map(organizationRows.map((o) => [o.id, o])),
    parentsOf: linksBy(links, 'organizationId', 'parentId'),
    clientsOf: linksBy(links, 'parentId', 'organizationId'),
  };
}

/**
 * The NOTIFY channel that tells every API process its reference snapshot is stale: sent after a seed
 * (scripts/seed.ts) and by whatever else writes countries, indicators or organizations, so a running
 * server serves them at once rather than up to REFERENCE_CACHE_TTL_MS later. An operator's own SQL can
 * send it too: `NOTIFY ctewn_reference_changed`.
 */
export const REFERENCE_CHANNEL = 'ctewn_reference_changed';

/** No organization and no country: a database migrated but never seeded (start-up says how to seed it). */
export async function referenceIsEmpty(db: Db): Promise<boolean> {
  const [org] = await db.select({ id: organizations.id }).from(organizations).limit(1);
  const [country] = await db.select({ iso3: countries.iso3 }).from(countries).limit(1);
  return !org && !country;
}

/** Delivered at commit when called inside a transaction; at once otherwise. */
export async function notifyReferenceChanged(db: Db): Promise<void> {
  await db.execute(sql`select pg_notify(${REFERENCE_CHANNEL}, '')`);
}

/**
 * Reference data kept for `ttlMs` per process (REFERENCE_CACHE_TTL_MS): a change made in the database,
 * such as a deactivated organization or a new threshold, is served within that time by every process.
 * A NOTIFY on REFERENCE_CHANNEL drops the snapshot at once (invalidate). Concurrent requests share one
 * load; a failed load is not kept. With ttlMs 0 every request reads it,
 * once, through its own handle (each request has one), so the statements count in that request.
 */
export class ReferenceCache {
  private current: { data: Promise<ReferenceData>; until: number } | undefined;
  private readonly perHandle = new WeakMap<Db, Promise<ReferenceData>>();

  constructor(private readonly ttlMs: number) {}

  /** The next request reads the reference data afresh (a load already under way is not kept). */
  invalidate(): void {
    this.current = undefined;
  }

  get(db: Db): Promise<ReferenceData> {
    const now = Date.now();
    if (this.current && now < this.current.until) return this.current.data;
    if (this.ttlMs === 0) {
      let data = this.perHandle.get(db);
      if (!data) this.perHandle.set(db, (data = loadReference(db)));
      return data;
    }
    const data = loadReference(db);
    const entry = { data, until: now + this.ttlMs };
    this.current = entry;
    data.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return data;
  }
}
