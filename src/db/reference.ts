import { asc } from 'drizzle-orm';
import type { Db } from './database.js';
import { countries, type CountryRow } from './schema/countries.js';
import { indicators, type IndicatorRow } from './schema/indicators.js';
import { organizationParents, organizations, type OrganizationRow } from './schema/organizations.js';

/**
 * The network's reference data: countries, indicator definitions, organizations and who supports whom.
 * Every viewer sees the same rows (the field policy still cuts restricted fields such as focal points),
 * none of it is TLP-marked, and it changes only by migration, seed or an operator's SQL. So it is
 * safely shared by all requests of a process, for a bounded time.
 */
export interface ReferenceData {
  countries: readonly CountryRow[];
  countryByIso3: ReadonlyMap<string, CountryRow>;
  indicatorByCode: ReadonlyMap<string, IndicatorRow>;
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
  const [countryRows, indicatorRows, organizationRows, links] = await Promise.all([
    db.select().from(countries).orderBy(asc(countries.iso3)),
    db.select().from(indicators).orderBy(asc(indicators.code)),
    db.select().from(organizations).orderBy(asc(organizations.id)),
    db.select().from(organizationParents),
  ]);
  return {
    countries: countryRows,
    countryByIso3: new Map(countryRows.map((c) => [c.iso3, c])),
    indicatorByCode: new Map(indicatorRows.map((i) => [i.code, i])),
    organizationById: new Map(organizationRows.map((o) => [o.id, o])),
    parentsOf: linksBy(links, 'organizationId', 'parentId'),
    clientsOf: linksBy(links, 'parentId', 'organizationId'),
  };
}

/**
 * Reference data kept for `ttlMs` per process (REFERENCE_CACHE_TTL_MS): a change made in the database,
 * such as a deactivated organization or a new threshold, is served within that time by every process.
 * Concurrent requests share one load; a failed load is not kept. With ttlMs 0 every request reads it,
 * once, through its own handle (each request has one), so the statements count in that request.
 */
export class ReferenceCache {
  private current: { data: Promise<ReferenceData>; until: number } | undefined;
  private readonly perHandle = new WeakMap<Db, Promise<ReferenceData>>();

  constructor(private readonly ttlMs: number) {}

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
