import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer } from '../../auth/viewer.js';
import { badInput, notFound } from '../../errors.js';
import { applicabilityOf } from '../applicability.js';
import type { Db } from '../database.js';
import { notifyReferenceChanged } from '../reference.js';
import { loadLevelScales } from '../scales.js';
import { auditEvents } from '../schema/audit.js';
import { countries, countryPopulations, type CountryPopulationRow, type CountryRow } from '../schema/countries.js';
import { indicatorCountryThresholds, indicators, type IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { recomputeAlerts, type RecomputeScope } from './alert-writes.js';

/**
 * The network's thresholds and population figures, kept by network-admin. Each change is one transaction:
 * the row, its audit entry, and the re-evaluation of the alerts of the series it affects (alerts that
 * still hold keep ids and times, the others are superseded and kept, new conditions are raised — not
 * announced, as any recompute), and a NOTIFY so every process reads the new reference data at commit.
 */

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * First statement of every change here: waits for the value writes in flight to commit (their inserts
 * hold ROW EXCLUSIVE) and holds new ones until this change commits, so its re-evaluation sees every value
 * and every later write judges by the new thresholds (observation-writes reads them after its inserts).
 * Readers are not blocked (SHARE ROW EXCLUSIVE does not conflict with ACCESS SHARE).
 */
async function holdValueWrites(tx: Tx): Promise<void> {
  await tx.execute(sql`lock table ${observations} in share row exclusive mode`);
}

export interface AlertRecount {
  kept: number;
  superseded: number;
  raised: number;
}

interface Levels {
  watch: number;
  warning: number;
  critical: number;
}

/** Thresholds must run in the worse direction: watch < warning < critical when higher is worse, the reverse when lower is. */
function orderRefusal(indicator: IndicatorRow, t: Levels): string | null {
  const rising = t.watch < t.warning && t.warning < t.critical;
  const falling = t.watch > t.warning && t.warning > t.critical;
  if (indicator.worseDirection === 'HIGHER' ? rising : falling) return null;
  const order = indicator.worseDirection === 'HIGHER' ? 'watch < warning < critical' : 'watch > warning > critical';
  return `${indicator.code} is worse when ${indicator.worseDirection === 'HIGHER' ? 'higher' : 'lower'}: its thresholds must run ${order} (got ${t.watch}, ${t.warning}, ${t.critical})`;
}

async function indicatorFor(tx: Tx, code: string) {
  const [row] = await tx.select({ indicator: getTableColumns(indicators), applicability: applicabilityOf() }).from(indicators).where(eq(indicators.code, code));
  if (!row) throw notFound(`Indicator ${code}`);
  return row;
}

/** The audit entry, the alerts of the series in `scope` re-evaluated (none: no series is judged differently), the NOTIFY. */
async function finish(tx: Tx, viewer: MemberViewer, action: string, reason: string, scope: RecomputeScope | null): Promise<AlertRecount> {
  await tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action, reason });
  const alerts = scope ? await recomputeAlerts(tx, await loadLevelScales(tx), { scope }) : { kept: 0, superseded: 0, raised: 0 };
  await notifyReferenceChanged(tx as unknown as Db);
  return alerts;
}

const listed = (t: Levels) => `watch ${t.watch}, warning ${t.warning}, critical ${t.critical}`;

export async function setIndicatorThresholds(
  db: Db,
  viewer: MemberViewer,
  input: Levels & { indicator: string; basis: IndicatorRow['thresholdBasis']; reason: string },
): Promise<{ indicator: IndicatorRow; alerts: AlertRecount }> {
  return db.transaction(async (tx) => {
    await holdValueWrites(tx);
    const { indicator } = await indicatorFor(tx, input.indicator);
    const refusal = orderRefusal(indicator, input);
    if (refusal) throw badInput(refusal, 'warning');
    if (input.basis === 'PER_100K' && indicator.scale !== 'COUNT') throw badInput(`${indicator.code} is a ${indicator.scale.toLowerCase()}, not a count: only counts are judged per 100,000 population`, 'basis');
    const [row] = await tx
      .update(indicators)
      .set({ thresholdWatch: input.watch, thresholdWarning: input.warning, thresholdCritical: input.critical, thresholdBasis: input.basis })
      .where(eq(indicators.code, indicator.code))
      .returning();
    const was = { watch: indicator.thresholdWatch, warning: indicator.thresholdWarning, critical: indicator.thresholdCritical };
    const reason = `${indicator.code} defaults: ${listed(input)}, ${input.basis} (were ${listed(was)}, ${indicator.thresholdBasis}). ${input.reason}`;
    return { indicator: row!, alerts: await finish(tx, viewer, 'setIndicatorThresholds', reason, { indicatorCodes: [indicator.code] }) };
  });
}

export async function setCountryThresholds(
  db: Db,
  viewer: MemberViewer,
  input: Levels & { indicator: string; country: string; note: string },
): Promise<{ indicator: IndicatorRow; alerts: AlertRecount }> {
  return db.transaction(async (tx) => {
    await holdValueWrites(tx);
    const { indicator, applicability } = await indicatorFor(tx, input.indicator);
    if (!applicability.countries.includes(input.country)) {
      throw badInput(`${indicator.code} does not apply to ${input.country} (it applies to ${applicability.countries.join(', ') || 'no country yet'}): it has no series there to judge`, 'country');
    }
    const refusal = orderRefusal(indicator, input);
    if (refusal) throw badInput(refusal, 'warning');
    const values = { thresholdWatch: input.watch, thresholdWarning: input.warning, thresholdCritical: input.critical, note: input.note, updatedAt: new Date() };
    await tx
      .insert(indicatorCountryThresholds)
      .values({ indicatorCode: indicator.code, countryIso3: input.country, ...values })
      .onConflictDoUpdate({ target: [indicatorCountryThresholds.indicatorCode, indicatorCountryThresholds.countryIso3], set: values });
    const reason = `${indicator.code} ${input.country}: ${listed(input)} (${indicator.thresholdBasis}). ${input.note}`;
    return { indicator, alerts: await finish(tx, viewer, 'setCountryThresholds', reason, { indicatorCodes: [indicator.code], countries: [input.country] }) };
  });
}

export async function removeCountryThresholds(
  db: Db,
  viewer: MemberViewer,
  input: { indicator: string; country: string; reason: string },
): Promise<{ indicator: IndicatorRow; alerts: AlertRecount }> {
  return db.transaction(async (tx) => {
    await holdValueWrites(tx);
    const { indicator } = await indicatorFor(tx, input.indicator);
    const removed = await tx
      .delete(indicatorCountryThresholds)
      .where(and(eq(indicatorCountryThresholds.indicatorCode, indicator.code), eq(indicatorCountryThresholds.countryIso3, input.country)))
      .returning();
    if (removed.length === 0) throw notFound(`Thresholds of ${indicator.code} for ${input.country}`);
    const reason = `${indicator.code} ${input.country}: own thresholds (${listed({ watch: removed[0]!.thresholdWatch, warning: removed[0]!.thresholdWarning, critical: removed[0]!.thresholdCritical })}) removed, the defaults hold. ${input.reason}`;
    return { indicator, alerts: await finish(tx, viewer, 'removeCountryThresholds', reason, { indicatorCodes: [indicator.code], countries: [input.country] }) };
  });
}

export async function setPopulation(
  db: Db,
  viewer: MemberViewer,
  input: { country: string; year: number; population: number; source: string },
): Promise<{ country: CountryRow; population: CountryPopulationRow; alerts: AlertRecount }> {
  return db.transaction(async (tx) => {
    await holdValueWrites(tx);
    const [country] = await tx.select().from(countries).where(eq(countries.iso3, input.country));
    if (!country) throw badInput(`Unknown country code "${input.country}"`, 'country');
    const [population] = await tx
      .insert(countryPopulations)
      .values({ countryIso3: country.iso3, year: input.year, population: input.population, source: input.source })
      .onConflictDoUpdate({ target: [countryPopulations.countryIso3, countryPopulations.year], set: { population: input.population, source: input.source } })
      .returning();
    // Every rate of the country may divide by this figure (it is the nearest for the years around it).
    const perCapita = await tx.select({ code: indicators.code }).from(indicators).where(eq(indicators.thresholdBasis, 'PER_100K'));
    const reason = `${country.iso3} ${input.year}: population ${input.population} (${input.source})`;
    const scope = perCapita.length ? { indicatorCodes: perCapita.map((i) => i.code), countries: [country.iso3] } : null;
    const alerts = await finish(tx, viewer, 'setPopulation', reason, scope);
    return { country, population: population!, alerts };
  });
}
