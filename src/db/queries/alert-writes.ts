import { and, asc, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { evaluate, rank, TREND_WINDOW, type IndicatorSpec, type SeriesPoint } from '../../alerts/rules.js';
import type { Db } from '../database.js';
import { alerts, type AlertRow, type NewAlert } from '../schema/alerts.js';
import type { IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { descending, textArray } from './sql-fragments.js';

const writtenRange = alias(observations, 'written_range');

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

/** The channel on which a committed alert's id is announced to every API process (LISTEN/NOTIFY). */
export const ALERT_CHANNEL = 'ctewn_alert_raised';

/** A series is one source's figures for an indicator and a country: each is evaluated on its own. */
const seriesKey = (indicator: string, country: string, source: string) => `${indicator}|${country}|${source}`;
const periodKey = (indicator: string, country: string, source: string, periodStart: string) => `${indicator}|${country}|${source}|${periodStart}`;

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
 * in one statement. The rules look at a point and the TREND_WINDOW points in force before it, so each
 * series reads its latest points up to its latest written period, as many as lie from its earliest written
 * period on plus TREND_WINDOW: ORDER BY … LIMIT joined LATERAL to the series, off observations_current_idx,
 * sorting nothing. (The LIMIT also keeps each series a probe of the index: as a plain period range the
 * planner joined the series to a scan of the whole table.) A batch of new values at the end of 20 series
 * reads 13 rows each: 260 rows, 0.27 ms on the quick benchmark's data, where the whole in-force history of
 * every series touched was read and sorted before (1,460 rows, 0.63 ms). A correction of an old period
 * still reads its series from there on.
 */
async function loadSeries(tx: Executor, written: readonly WrittenPoint[]) {
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
    where ${inSeries(writtenRange)} and ${writtenRange.periodStart} between s.earliest and s.latest)`;
  const columns = { id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, sourceOrgId: observations.sourceOrgId, periodStart: observations.periodStart, value: observations.value, tlp: observations.tlp };
  const points = tx
    .select(columns)
    .from(observations)
    .where(and(inSeries(observations), sql`${observations.periodStart} <= s.latest`))
    .orderBy(descending(observations.periodStart))
    .limit(computedLimit(sql`${fromEarliest} + ${TREND_WINDOW}`))
    .as('p');
  const wanted = [...ranges.values()];
  const { id, indicatorCode, countryIso3, sourceOrgId, periodStart, value, tlp } = points;
  const rows = await tx
    .select({ id, indicatorCode, countryIso3, sourceOrgId, periodStart, value, tlp })
    .from(
      sql`unnest(${textArray(wanted.map((r) => r.indicator))}, ${textArray(wanted.map((r) => r.country))}, ${textArray(wanted.map((r) => r.source))}, ${textArray(wanted.map((r) => r.earliest))}::date[], ${textArray(wanted.map((r) => r.latest))}::date[]) as s(indicator, country, source, earliest, latest)`,
    )
    .crossJoinLateral(points);
  const series = new Map<string, SeriesPoint[]>();
  for (const row of rows) {
    const key = seriesKey(row.indicatorCode, row.countryIso3, row.sourceOrgId);
    const list = series.get(key);
    if (list) list.push(row);
    else series.set(key, [row]);
  }
  // The lateral reads each series newest first; the rules take it oldest first (a few rows per series).
  for (const list of series.values()) list.sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
  return series;
}

function toNewAlert(point: Omit<WrittenPoint, 'id'>, candidate: ReturnType<typeof evaluate>[number]): NewAlert {
  const { indicatorCode, countryIso3, sourceOrgId, periodStart } = point;
  return { indicatorCode, countryIso3, sourceOrgId, periodStart, ...candidate, tlp: candidate.tlp as NewAlert['tlp'] };
}

/** The highest level alerted so far per period of a series and rule, so a correction escalates and never duplicates. */
function levelsByPeriod(rows: readonly Pick<AlertRow, 'indicatorCode' | 'countryIso3' | 'sourceOrgId' | 'periodStart' | 'rule' | 'level'>[]) {
  const existing = new Map<string, Partial<Record<'THRESHOLD' | 'TREND', string>>>();
  for (const a of rows) {
    const key = periodKey(a.indicatorCode, a.countryIso3, a.sourceOrgId, a.periodStart);
    const levels = existing.get(key) ?? {};
    if (rank(a.level) > rank(levels[a.rule] ?? 'NONE')) levels[a.rule] = a.level;
    existing.set(key, levels);
  }
  return existing;
}

const alertLevelColumns = {
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

/**
 * Evaluates the rules (src/alerts/rules.ts) for newly written points, inside the write's transaction,
 * and inserts the alerts they raise, each announced with NOTIFY (delivered when the transaction commits).
 */
export async function raiseAlerts(
  tx: Tx,
  written: readonly WrittenPoint[],
  specs: Map<string, IndicatorRow>,
): Promise<AlertRow[]> {
  if (written.length === 0) return [];
  const series = await loadSeries(tx, written);
  const existingRows = await tx
    .select(alertLevelColumns)
    .from(alerts)
    .where(
      and(
        inArray(alerts.indicatorCode, [...new Set(written.map((w) => w.indicatorCode))]),
        inArray(alerts.countryIso3, [...new Set(written.map((w) => w.countryIso3))]),
        inArray(alerts.periodStart, [...new Set(written.map((w) => w.periodStart))]),
        inArray(alerts.sourceOrgId, [...new Set(written.map((w) => w.sourceOrgId))]),
      ),
    );
  const existing = levelsByPeriod(existingRows);
  // Where each point stands in its series, so a large batch costs one pass, not one scan per point.
  const position = new Map<string, number>();
  for (const points of series.values()) points.forEach((p, i) => position.set(p.id, i));
  const fresh: NewAlert[] = [];
  for (const w of written) {
    const points = series.get(seriesKey(w.indicatorCode, w.countryIso3, w.sourceOrgId));
    const at = position.get(w.id);
    const spec = specs.get(w.indicatorCode) as IndicatorSpec | undefined;
    if (!points || at === undefined || !spec) continue;
    const before = points.slice(Math.max(0, at - TREND_WINDOW), at);
    const candidates = evaluate(spec, points[at]!, before, existing.get(periodKey(w.indicatorCode, w.countryIso3, w.sourceOrgId, w.periodStart)));
    fresh.push(...candidates.map((c) => toNewAlert(w, c)));
  }
  const inserted = await insertAlerts(tx, fresh);
  if (inserted.length > 0) {
    const ids = sql.join(inserted.map((a) => sql`${a.id}`), sql`, `);
    await tx.execute(sql`select pg_notify(${ALERT_CHANNEL}, id::text) from unnest(array[${ids}]::uuid[]) as id`);
  }
  return inserted;
}

/**
 * Recomputes the alerts of the whole history (after a threshold or rule change): open alerts are
 * replaced; acknowledged ones are kept, and not raised again. One transaction.
 */
export async function recomputeAlerts(db: Db | Tx, specs: Map<string, IndicatorRow>): Promise<{ removed: number; raised: number }> {
  const run = async (tx: Executor) => {
    const removed = await tx.delete(alerts).where(ne(alerts.status, 'ACKNOWLEDGED')).returning({ id: alerts.id });
    const acknowledged = levelsByPeriod(await tx.select(alertLevelColumns).from(alerts));
    const rows = await tx
      .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, sourceOrgId: observations.sourceOrgId, periodStart: observations.periodStart, value: observations.value, tlp: observations.tlp })
      .from(observations)
      .where(sql`${observations.supersededAt} is null`)
      .orderBy(asc(observations.indicatorCode), asc(observations.countryIso3), asc(observations.sourceOrgId), asc(observations.periodStart));
    const fresh: NewAlert[] = [];
    let start = 0;
    while (start < rows.length) {
      const { indicatorCode, countryIso3, sourceOrgId } = rows[start]!;
      let end = start;
      while (end < rows.length && rows[end]!.indicatorCode === indicatorCode && rows[end]!.countryIso3 === countryIso3 && rows[end]!.sourceOrgId === sourceOrgId) end += 1;
      const points = rows.slice(start, end);
      const spec = specs.get(indicatorCode) as IndicatorSpec | undefined;
      points.forEach((point, i) => {
        if (!spec) return;
        const candidates = evaluate(spec, point, points.slice(Math.max(0, i - TREND_WINDOW), i), acknowledged.get(periodKey(indicatorCode, countryIso3, sourceOrgId, point.periodStart)));
        fresh.push(...candidates.map((c) => toNewAlert(point, c)));
      });
      start = end;
    }
    const inserted = await insertAlerts(tx, fresh);
    return { removed: removed.length, raised: inserted.length };
  };
  return db.transaction(run);
}
