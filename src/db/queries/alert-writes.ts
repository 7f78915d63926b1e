import { and, asc, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { evaluate, reconcile, shiftPeriodStart, TREND_WINDOW, type AlertCandidate, type IndicatorSpec, type SeriesPoint, type StandingAlert } from '../../alerts/rules.js';
import type { Db } from '../database.js';
import { alerts, type AlertRow, type NewAlert } from '../schema/alerts.js';
import type { LevelScales } from '../../alerts/levels.js';
import { observations } from '../schema/observations.js';
import { descending, textArray } from './sql-fragments.js';

const writtenRange = alias(observations, 'written_range');

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

/** The channel on which a committed alert's id is announced to every API process (LISTEN/NOTIFY). */
export const ALERT_CHANNEL = 'ctewn_alert_raised';

/** A series is one source's figures for an indicator and a country: each is evaluated on its own. */
const seriesKey = (indicator: string, country: string, source: string) => `${indicator}|${country}|${source}`;

/** How long after its period a value may arrive and still raise a live alert (ALERT_BACKFILL_HORIZON_DAYS). */
export const DEFAULT_BACKFILL_HORIZON_DAYS = 120;

export interface AlertOptions {
  /** Alerts on periods that ended longer ago than this when their values were recorded are historical. */
  backfillHorizonDays?: number;
}

interface WrittenPoint {
  id: string;
  indicatorCode: string;
  countryIso3: string;
  sourceOrgId: string;
  periodStart: string;
}

/** drizzle types limit() as a number, yet renders an SQL expression given to it as is (its dialect.js). */
const computedLimit = (expression: SQL) => expression as unknown as number;

/**
 * The points in force that the rules read for the given written points, by series, ascending by period,
 * in one statement. A point's alerts depend on it and the TREND_WINDOW points in force before it, so a
 * write affects its own period and the TREND_WINDOW points after it: each series reads its points up to
 * TREND_WINDOW periods after its latest written one, as many as lie from its earliest written period on
 * plus TREND_WINDOW (before): ORDER BY … LIMIT joined LATERAL to the series, off observations_current_idx,
 * sorting nothing. (The LIMIT also keeps each series a probe of the index: as a plain period range the
 * planner joined the series to a scan of the whole table.) A batch of new values at the end of 20 series
 * reads 13 rows each; a correction of an old period reads its series from 12 points before it to 12 after.
 */
async function loadSeries(tx: Executor, written: readonly WrittenPoint[], scales: LevelScales) {
  const ranges = new Map<string, { indicator: string; country: string; source: string; earliest: string; latest: string }>();
  for (const w of written) {
    const key = seriesKey(w.indicatorCode, w.countryIso3, w.sourceOrgId);
    const range = ranges.get(key);
    if (!range) ranges.set(key, { indicator: w.indicatorCode, country: w.countryIso3, source: w.sourceOrgId, earliest: w.periodStart, latest: w.periodStart });
    else {
      if (w.periodStart < range.earliest) range.earliest = w.periodStart;
      if (w.periodStart > range.latest) range.latest = w.periodStart;
    }
  }
  const inSeries = (table: Record<'indicatorCode' | 'countryIso3' | 'sourceOrgId' | 'supersededAt', AnyPgColumn>) =>
    and(sql`${table.indicatorCode} = s.indicator`, sql`${table.countryIso3} = s.country::char(3)`, sql`${table.sourceOrgId} = s.source`, isNull(table.supersededAt));
  const fromEarliest = sql`(select count(*) from ${observations} as ${sql.identifier('written_range')}
    where ${inSeries(writtenRange)} and ${writtenRange.periodStart} between s.earliest and s.until)`;
  const columns = {
    id: observations.id,
    indicatorCode: observations.indicatorCode,
    countryIso3: observations.countryIso3,
    sourceOrgId: observations.sourceOrgId,
    periodStart: observations.periodStart,
    value: observations.value,
    tlp: observations.tlp,
    recordedAt: observations.recordedAt,
  };
  const points = tx
    .select(columns)
    .from(observations)
    .where(and(inSeries(observations), sql`${observations.periodStart} <= s.until`))
    .orderBy(descending(observations.periodStart))
    .limit(computedLimit(sql`${fromEarliest} + ${TREND_WINDOW}`))
    .as('p');
  const wanted = [...ranges.values()];
  const until = wanted.map((r) => shiftPeriodStart(r.latest, scales.indicators.get(r.indicator)?.periodicity ?? 'MONTHLY', TREND_WINDOW));
  const { id, indicatorCode, countryIso3, sourceOrgId, periodStart, value, tlp, recordedAt } = points;
  const rows = await tx
    .select({ id, indicatorCode, countryIso3, sourceOrgId, periodStart, value, tlp, recordedAt })
    .from(
      sql`unnest(${textArray(wanted.map((r) => r.indicator))}, ${textArray(wanted.map((r) => r.country))}, ${textArray(wanted.map((r) => r.source))}, ${textArray(wanted.map((r) => r.earliest))}::date[], ${textArray(until)}::date[]) as s(indicator, country, source, earliest, until)`,
    )
    .crossJoinLateral(points);
  const series = new Map<string, SeriesRow[]>();
  for (const read of rows) {
    const row = withRate(read, scales);
    const key = seriesKey(row.indicatorCode, row.countryIso3, row.sourceOrgId);
    const list = series.get(key);
    if (list) list.push(row);
    else series.set(key, [row]);
  }
  // The lateral reads each series newest first; the rules take it oldest first (a few rows per series).
  for (const list of series.values()) list.sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
  return series;
}

type SeriesRow = SeriesPoint & { indicatorCode: string; countryIso3: string; sourceOrgId: string };

/** A point with its rate per 100,000 population, which PER_100K thresholds are read against. */
function withRate<T extends Omit<SeriesRow, 'rate'>>(row: T, scales: LevelScales): T & { rate: number | null } {
  return { ...row, rate: scales.rateOf(row.indicatorCode, row.countryIso3, row.periodStart, row.value) };
}
type Holding = AlertCandidate & { periodStart: string };

/** A period that had already ended `horizonDays` before its values were recorded: back-filled history. */
function isHistorical(candidate: Holding, spec: IndicatorSpec, horizonDays: number): boolean {
  const periodEnd = Date.parse(`${shiftPeriodStart(candidate.periodStart, spec.periodicity, 1)}T00:00:00Z`);
  return candidate.knownAt.getTime() - periodEnd > horizonDays * 86_400_000;
}

function toNewAlert(series: Pick<SeriesRow, 'indicatorCode' | 'countryIso3' | 'sourceOrgId'>, candidate: Holding, spec: IndicatorSpec, horizonDays: number): NewAlert {
  const { indicatorCode, countryIso3, sourceOrgId } = series;
  return { indicatorCode, countryIso3, sourceOrgId, ...candidate, tlp: candidate.tlp as NewAlert['tlp'], historical: isHistorical(candidate, spec, horizonDays) };
}

/** The alerts that hold at the given positions of a series (each judged on the points before it). */
function holdingAt(spec: IndicatorSpec, points: readonly SeriesPoint[], positions: Iterable<number>): Holding[] {
  const holding: Holding[] = [];
  for (const at of positions) {
    const point = points[at]!;
    holding.push(...evaluate(spec, point, points.slice(Math.max(0, at - TREND_WINDOW), at)).map((c) => ({ ...c, periodStart: point.periodStart })));
  }
  return holding;
}

const standingColumns = {
  id: alerts.id,
  indicatorCode: alerts.indicatorCode,
  countryIso3: alerts.countryIso3,
  sourceOrgId: alerts.sourceOrgId,
  periodStart: alerts.periodStart,
  rule: alerts.rule,
  level: alerts.level,
};

async function insertAlerts(tx: Executor, rows: NewAlert[]): Promise<AlertRow[]> {
  const inserted: AlertRow[] = [];
  for (let i = 0; i < rows.length; i += 500) inserted.push(...(await tx.insert(alerts).values(rows.slice(i, i + 500)).returning()));
  return inserted;
}

/** Marks alerts superseded, each by the value revision whose write showed it no longer holds (null: a recompute). */
async function supersedeAlerts(tx: Executor, superseded: readonly { id: string; by: string | null }[]): Promise<void> {
  for (let i = 0; i < superseded.length; i += 1000) {
    const chunk = superseded.slice(i, i + 1000);
    await tx.execute(sql`update ${alerts} set superseded_at = now(), superseded_by_observation_id = nullif(s.by_text, '')::uuid
      from unnest(${textArray(chunk.map((c) => c.id))}::uuid[], ${textArray(chunk.map((c) => c.by ?? ''))}) as s(id, by_text)
      where ${alerts.id} = s.id`);
  }
}

/** Announces live alerts to every API process once the transaction commits (historical ones are not news). */
async function notify(tx: Executor, raised: readonly AlertRow[]): Promise<void> {
  const live = raised.filter((a) => !a.historical);
  if (live.length === 0) return;
  const ids = sql.join(live.map((a) => sql`${a.id}`), sql`, `);
  await tx.execute(sql`select pg_notify(${ALERT_CHANNEL}, id::text) from unnest(array[${ids}]::uuid[]) as id`);
}

/**
 * Re-evaluates the alerts of the periods a write affects, inside the write's transaction: each written
 * period and the TREND_WINDOW points after it in its series (their baselines, and the next period's
 * threshold comparison, include it). Alerts that still hold are kept (ids and times unchanged), those that
 * no longer hold are superseded by the written revision, new conditions are raised, and each live one is
 * announced with NOTIFY (delivered when the transaction commits). A correction of 7 to 2 thus supersedes
 * the WARNING 7 raised and lets the next period's 7 raise one.
 */
export async function raiseAlerts(tx: Tx, written: readonly WrittenPoint[], scales: LevelScales, options: AlertOptions = {}): Promise<AlertRow[]> {
  if (written.length === 0) return [];
  const horizonDays = options.backfillHorizonDays ?? DEFAULT_BACKFILL_HORIZON_DAYS;
  const series = await loadSeries(tx, written, scales);
  const writtenIds = new Set(written.map((w) => w.id));
  const affected = new Map<string, { points: SeriesRow[]; spec: IndicatorSpec; positions: Set<number>; causes: Map<number, string> }>();
  for (const [key, points] of series) {
    const spec = scales.seriesSpec(points[0]!.indicatorCode, points[0]!.countryIso3);
    if (!spec) continue;
    const positions = new Set<number>();
    const causes = new Map<number, string>();
    points.forEach((p, at) => {
      if (!writtenIds.has(p.id)) return;
      for (let i = at; i <= Math.min(points.length - 1, at + TREND_WINDOW); i++) {
        positions.add(i);
        causes.set(i, p.id); // points are ascending: the nearest written point before wins
      }
    });
    if (positions.size > 0) affected.set(key, { points, spec, positions, causes });
  }
  const periods = [...affected.values()].flatMap((a) => [...a.positions].map((i) => a.points[i]!.periodStart));
  const standingRows = periods.length
    ? await tx
        .select(standingColumns)
        .from(alerts)
        .where(
          and(
            isNull(alerts.supersededAt),
            inArray(alerts.indicatorCode, [...new Set(written.map((w) => w.indicatorCode))]),
            inArray(alerts.countryIso3, [...new Set(written.map((w) => w.countryIso3))]),
            inArray(alerts.sourceOrgId, [...new Set(written.map((w) => w.sourceOrgId))]),
            inArray(alerts.periodStart, [...new Set(periods)]),
          ),
        )
    : [];
  const standingBySeries = new Map<string, StandingAlert[]>();
  for (const a of standingRows) {
    const key = seriesKey(a.indicatorCode, a.countryIso3, a.sourceOrgId);
    standingBySeries.set(key, [...(standingBySeries.get(key) ?? []), a]);
  }
  const fresh: NewAlert[] = [];
  const superseded: { id: string; by: string | null }[] = [];
  for (const [key, { points, spec, positions, causes }] of affected) {
    const periodsHere = new Map([...positions].map((i) => [points[i]!.periodStart, i]));
    const standing = (standingBySeries.get(key) ?? []).filter((a) => periodsHere.has(a.periodStart));
    const { supersede, raise } = reconcile(holdingAt(spec, points, positions), standing);
    const byId = new Map(standing.map((a) => [a.id, a]));
    for (const id of supersede) superseded.push({ id, by: causes.get(periodsHere.get(byId.get(id)!.periodStart)!) ?? null });
    fresh.push(...raise.map((c) => toNewAlert(points[0]!, c, spec, horizonDays)));
  }
  await supersedeAlerts(tx, superseded);
  const inserted = await insertAlerts(tx, fresh);
  await notify(tx, inserted);
  return inserted;
}

/** Which series a recompute re-evaluates: all, or those of some indicators and/or countries. */
export interface RecomputeScope {
  indicatorCodes?: readonly string[];
  countries?: readonly string[];
}

/**
 * Re-evaluates the whole history, or the series in `scope` (after a threshold, population or rule change),
 * in one transaction, the same way a write re-evaluates its periods: alerts that still hold keep their ids
 * and times, the others are superseded (by no revision: the rules changed, not the values), new conditions
 * are raised. Nothing is announced: a recompute is not news.
 */
export async function recomputeAlerts(
  db: Db | Tx,
  scales: LevelScales,
  options: AlertOptions & { scope?: RecomputeScope } = {},
): Promise<{ kept: number; superseded: number; raised: number }> {
  const horizonDays = options.backfillHorizonDays ?? DEFAULT_BACKFILL_HORIZON_DAYS;
  const inScope = (table: { indicatorCode: AnyPgColumn; countryIso3: AnyPgColumn }) =>
    and(
      options.scope?.indicatorCodes ? inArray(table.indicatorCode, [...options.scope.indicatorCodes]) : undefined,
      options.scope?.countries ? inArray(table.countryIso3, [...options.scope.countries]) : undefined,
    );
  const run = async (tx: Executor) => {
    const standingBySeries = new Map<string, StandingAlert[]>();
    for (const a of await tx.select(standingColumns).from(alerts).where(and(isNull(alerts.supersededAt), inScope(alerts)))) {
      const key = seriesKey(a.indicatorCode, a.countryIso3, a.sourceOrgId);
      standingBySeries.set(key, [...(standingBySeries.get(key) ?? []), a]);
    }
    const rows = await tx
      .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, sourceOrgId: observations.sourceOrgId, periodStart: observations.periodStart, value: observations.value, tlp: observations.tlp, recordedAt: observations.recordedAt })
      .from(observations)
      .where(and(isNull(observations.supersededAt), inScope(observations)))
      .orderBy(asc(observations.indicatorCode), asc(observations.countryIso3), asc(observations.sourceOrgId), asc(observations.periodStart));
    const fresh: NewAlert[] = [];
    const superseded: { id: string; by: null }[] = [];
    let kept = 0;
    const seen = new Set<string>();
    let start = 0;
    while (start < rows.length) {
      const first = rows[start]!;
      let end = start;
      while (end < rows.length && rows[end]!.indicatorCode === first.indicatorCode && rows[end]!.countryIso3 === first.countryIso3 && rows[end]!.sourceOrgId === first.sourceOrgId) end += 1;
      const points = rows.slice(start, end).map((row) => withRate(row, scales));
      const key = seriesKey(first.indicatorCode, first.countryIso3, first.sourceOrgId);
      seen.add(key);
      const spec = scales.seriesSpec(first.indicatorCode, first.countryIso3);
      const holding = spec ? holdingAt(spec, points, points.keys()) : [];
      const result = reconcile(holding, standingBySeries.get(key) ?? []);
      kept += result.keep.length;
      superseded.push(...result.supersede.map((id) => ({ id, by: null })));
      if (spec) fresh.push(...result.raise.map((c) => toNewAlert(first, c, spec, horizonDays)));
      start = end;
    }
    // Series with no value in force any more hold no alert.
    for (const [key, standing] of standingBySeries) if (!seen.has(key)) superseded.push(...standing.map((a) => ({ id: a.id, by: null })));
    await supersedeAlerts(tx, superseded);
    const inserted = await insertAlerts(tx, fresh);
    return { kept, superseded: superseded.length, raised: inserted.length };
  };
  return db.transaction(run);
}
