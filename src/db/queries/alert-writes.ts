import { and, asc, inArray, ne, sql } from 'drizzle-orm';
import { evaluate, rank, TREND_WINDOW, type IndicatorSpec, type SeriesPoint } from '../../alerts/rules.js';
import type { Db } from '../database.js';
import { alerts, type AlertRow, type NewAlert } from '../schema/alerts.js';
import type { IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

/** The channel on which a committed alert's id is announced to every API process (LISTEN/NOTIFY). */
export const ALERT_CHANNEL = 'ctewn_alert_raised';

const seriesKey = (indicator: string, country: string) => `${indicator}|${country}`;

/** The points in force of the given series, ascending by period, in one statement. */
async function loadSeries(tx: Executor, keys: readonly { indicatorCode: string; countryIso3: string }[]) {
  const wanted = new Set(keys.map((k) => seriesKey(k.indicatorCode, k.countryIso3)));
  const rows = await tx
    .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, periodStart: observations.periodStart, value: observations.value, tlp: observations.tlp })
    .from(observations)
    .where(
      and(
        sql`${observations.supersededAt} is null`,
        inArray(observations.indicatorCode, [...new Set(keys.map((k) => k.indicatorCode))]),
        inArray(observations.countryIso3, [...new Set(keys.map((k) => k.countryIso3))]),
      ),
    )
    .orderBy(asc(observations.periodStart));
  const series = new Map<string, SeriesPoint[]>();
  for (const row of rows) {
    const key = seriesKey(row.indicatorCode, row.countryIso3);
    if (!wanted.has(key)) continue;
    const points = series.get(key);
    if (points) points.push(row);
    else series.set(key, [row]);
  }
  return series;
}

function toNewAlert(indicatorCode: string, countryIso3: string, periodStart: string, candidate: ReturnType<typeof evaluate>[number]): NewAlert {
  return { indicatorCode, countryIso3, periodStart, ...candidate, tlp: candidate.tlp as NewAlert['tlp'] };
}

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
  written: readonly { id: string; indicatorCode: string; countryIso3: string; periodStart: string }[],
  specs: Map<string, IndicatorRow>,
): Promise<AlertRow[]> {
  if (written.length === 0) return [];
  const series = await loadSeries(tx, written);
  const existingRows = await tx
    .select({ indicatorCode: alerts.indicatorCode, countryIso3: alerts.countryIso3, periodStart: alerts.periodStart, rule: alerts.rule, level: alerts.level })
    .from(alerts)
    .where(
      and(
        inArray(alerts.indicatorCode, [...new Set(written.map((w) => w.indicatorCode))]),
        inArray(alerts.countryIso3, [...new Set(written.map((w) => w.countryIso3))]),
        inArray(alerts.periodStart, [...new Set(written.map((w) => w.periodStart))]),
      ),
    );
  const existing = new Map<string, Partial<Record<'THRESHOLD' | 'TREND', string>>>();
  for (const a of existingRows) {
    const key = `${a.indicatorCode}|${a.countryIso3}|${a.periodStart}`;
    const levels = existing.get(key) ?? {};
    if (rank(a.level) > rank(levels[a.rule] ?? 'NONE')) levels[a.rule] = a.level;
    existing.set(key, levels);
  }
  // Where each point stands in its series, so a large batch costs one pass, not one scan per point.
  const position = new Map<string, number>();
  for (const points of series.values()) points.forEach((p, i) => position.set(p.id, i));
  const fresh: NewAlert[] = [];
  for (const w of written) {
    const points = series.get(seriesKey(w.indicatorCode, w.countryIso3));
    const at = position.get(w.id);
    const spec = specs.get(w.indicatorCode) as IndicatorSpec | undefined;
    if (!points || at === undefined || !spec) continue;
    const before = points.slice(Math.max(0, at - TREND_WINDOW), at);
    const candidates = evaluate(spec, points[at]!, before, existing.get(`${w.indicatorCode}|${w.countryIso3}|${w.periodStart}`));
    fresh.push(...candidates.map((c) => toNewAlert(w.indicatorCode, w.countryIso3, w.periodStart, c)));
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
    const kept = await tx.select({ indicatorCode: alerts.indicatorCode, countryIso3: alerts.countryIso3, periodStart: alerts.periodStart, rule: alerts.rule, level: alerts.level }).from(alerts);
    const acknowledged = new Map<string, Partial<Record<'THRESHOLD' | 'TREND', string>>>();
    for (const a of kept) {
      const key = `${a.indicatorCode}|${a.countryIso3}|${a.periodStart}`;
      acknowledged.set(key, { ...acknowledged.get(key), [a.rule]: a.level });
    }
    const rows = await tx
      .select({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, periodStart: observations.periodStart, value: observations.value, tlp: observations.tlp })
      .from(observations)
      .where(sql`${observations.supersededAt} is null`)
      .orderBy(asc(observations.indicatorCode), asc(observations.countryIso3), asc(observations.periodStart));
    const fresh: NewAlert[] = [];
    let start = 0;
    while (start < rows.length) {
      const { indicatorCode, countryIso3 } = rows[start]!;
      let end = start;
      while (end < rows.length && rows[end]!.indicatorCode === indicatorCode && rows[end]!.countryIso3 === countryIso3) end += 1;
      const points = rows.slice(start, end);
      const spec = specs.get(indicatorCode) as IndicatorSpec | undefined;
      points.forEach((point, i) => {
        if (!spec) return;
        const candidates = evaluate(spec, point, points.slice(Math.max(0, i - TREND_WINDOW), i), acknowledged.get(`${indicatorCode}|${countryIso3}|${point.periodStart}`));
        fresh.push(...candidates.map((c) => toNewAlert(indicatorCode, countryIso3, point.periodStart, c)));
      });
      start = end;
    }
    const inserted = await insertAlerts(tx, fresh);
    return { removed: removed.length, raised: inserted.length };
  };
  return db.transaction(run);
}
