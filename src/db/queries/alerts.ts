import { and, eq, getTableColumns, gte, inArray, isNull, lt, ne, not, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { TriageState } from '../../alerts/triage.js';
import type { Viewer } from '../../auth/viewer.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import { appliesTo, qualified } from '../applicability.js';
import type { Db } from '../database.js';
import { alertTriage } from '../schema/alert-triage.js';
import { alerts, type AlertRow } from '../schema/alerts.js';
import { alertVisibleTo, visibleTo } from '../visibility.js';
import { observations } from '../schema/observations.js';
import { observationRowRule, rowRuleOf } from './observations.js';
import { toPage } from './page.js';
import { descending } from './sql-fragments.js';

export interface AlertFilter {
  country?: string | null;
  indicator?: string | null;
  /** The lowest level wanted: WATCH lists all, CRITICAL only critical ones. */
  level?: string | null;
  /** OPEN or ACKNOWLEDGED (of alerts in force; by the viewer's organization's triage), or SUPERSEDED. */
  status?: string | null;
  /** The viewer's organization's triage is in one of these states (NEW: no triage yet). Members only. */
  triageState?: readonly TriageState[] | null;
  /** Assigned (true) or not (false) to the viewer, within its organization's triage. Members only. */
  assignedToMe?: boolean | null;
  knownFrom?: Date | null;
  knownTo?: Date | null;
  /** Periods starting on or after this day, and before that one (first days, YYYY-MM-DD). */
  periodFrom?: string | null;
  periodBefore?: string | null;
  includeSuperseded?: boolean | null;
  includeHistorical?: boolean | null;
}

export type AlertOrder = 'KNOWN_DESC' | 'PERIOD_DESC';

const LEVELS_FROM: Record<string, string[]> = {
  WATCH: ['WATCH', 'WARNING', 'CRITICAL'],
  WARNING: ['WARNING', 'CRITICAL'],
  CRITICAL: ['CRITICAL'],
};

const visible = (viewer: Viewer) => alertVisibleTo(viewer, alerts, observationRowRule);

/**
 * The viewer's own organization's triage of each alert, joined to every read (one row per alert: the key is
 * alert and organization). An anonymous viewer has none. Another organization's triage is never joined
 * here: the coordinators' view of every organization's triage is a field of its own (alert-triage.ts).
 */
const ownTriage = alias(alertTriage, 'own_triage');
const ownTriageJoin = (viewer: Viewer) =>
  viewer.kind === 'member' ? and(eq(ownTriage.alertId, alerts.id), eq(ownTriage.organizationId, viewer.organizationId)) : sql`false`;
const ownState = sql`coalesce(${ownTriage.state}, 'NEW')`;

const superseding = alias(observations, 'superseding');
/**
 * Whether the viewer sees an alert as superseded: a recompute supersedes for everyone; a value revision
 * only for those who may see that revision. Others see the alert as it stood (they see the value it stood
 * on): its supersession would tell them that a correction they may not see exists.
 */
export function supersededFor(viewer: Viewer): SQL {
  return sql`(${alerts.supersededAt} is not null and (${alerts.supersededByObservationId} is null or exists (
    select 1 from ${observations} as ${sql.identifier('superseding')} where ${superseding.id} = ${alerts.supersededByObservationId} and ${visibleTo(viewer, rowRuleOf(superseding))})))`;
}

function conditions(viewer: Viewer, filter: AlertFilter | null | undefined): SQL[] {
  // An alert concerns a series: one of a pair its indicator does not (or no longer) applies to is kept, not listed.
  const where = [visible(viewer), appliesTo(qualified(alerts.indicatorCode), qualified(alerts.countryIso3))];
  if (filter?.country) where.push(eq(alerts.countryIso3, filter.country));
  if (filter?.indicator) where.push(eq(alerts.indicatorCode, filter.indicator));
  if (filter?.level) where.push(inArray(alerts.level, LEVELS_FROM[filter.level] as AlertRow['level'][]));
  const superseded = supersededFor(viewer);
  if (filter?.status === 'SUPERSEDED') where.push(superseded);
  else {
    if (filter?.status === 'OPEN') where.push(sql`${ownState} = 'NEW'`);
    if (filter?.status === 'ACKNOWLEDGED') where.push(sql`${ownState} <> 'NEW'`);
    if (filter?.status || !filter?.includeSuperseded) where.push(not(superseded));
  }
  if (filter?.triageState) where.push(sql`${ownState} in (${sql.join(filter.triageState.map((s) => sql`${s}`), sql`, `)})`);
  if (filter?.assignedToMe != null && viewer.kind === 'member') {
    const mine = eq(ownTriage.assigneeSub, viewer.sub);
    where.push(filter.assignedToMe ? mine : or(isNull(ownTriage.assigneeSub), ne(ownTriage.assigneeSub, viewer.sub))!);
  }
  if (!filter?.includeHistorical) where.push(eq(alerts.historical, false));
  if (filter?.knownFrom) where.push(gte(alerts.knownAt, filter.knownFrom));
  if (filter?.knownTo) where.push(lt(alerts.knownAt, filter.knownTo));
  if (filter?.periodFrom) where.push(gte(alerts.periodStart, filter.periodFrom));
  if (filter?.periodBefore) where.push(lt(alerts.periodStart, filter.periodBefore));
  return where;
}

/**
 * An alert as a viewer reads it: superseded or not as that viewer may know (supersededFor), with the
 * viewer's own organization's triage (null columns: none yet, or an anonymous viewer).
 */
export type AlertRead = AlertRow & {
  supersededForViewer: boolean;
  ownTriageOrgId: string | null;
  ownTriageState: TriageState | null;
  ownAssigneeSub: string | null;
  ownAcknowledgedAt: Date | null;
  ownEscalatedAt: Date | null;
  ownTriageUpdatedAt: Date | null;
};
const readColumns = (viewer: Viewer) => ({
  ...getTableColumns(alerts),
  supersededForViewer: sql<boolean>`${supersededFor(viewer)}`,
  ownTriageOrgId: ownTriage.organizationId,
  ownTriageState: ownTriage.state,
  ownAssigneeSub: ownTriage.assigneeSub,
  ownAcknowledgedAt: ownTriage.acknowledgedAt,
  ownEscalatedAt: ownTriage.escalatedAt,
  ownTriageUpdatedAt: ownTriage.updatedAt,
});

/** Each order's key: when the condition became known, or the period it concerns (newest first, then id). */
const ORDERS = {
  KNOWN_DESC: { column: alerts.knownAt, cast: sql`timestamptz`, shape: 'instant', key: (r: AlertRow) => r.knownAt.toISOString() },
  PERIOD_DESC: { column: alerts.periodStart, cast: sql`date`, shape: 'date', key: (r: AlertRow) => r.periodStart },
} as const;

/** Alerts the viewer may see, newest first: by when they became known (default) or by period. */
export async function findAlerts(
  db: Db,
  viewer: Viewer,
  query: { filter?: AlertFilter | null; orderBy?: AlertOrder | null; first: number; after?: string | null },
): Promise<Page<AlertRead>> {
  const orderBy = query.orderBy ?? 'KNOWN_DESC';
  const order = ORDERS[orderBy];
  const where = conditions(viewer, query.filter);
  if (query.after) {
    const [at, id] = decodeCursor(orderBy, query.after, [order.shape, 'uuid']);
    where.push(sql`(${order.column}, ${alerts.id}) < (${at}::${order.cast}, ${id}::uuid)`);
  }
  const rows = await db
    .select(readColumns(viewer))
    .from(alerts)
    .leftJoin(ownTriage, ownTriageJoin(viewer))
    .where(and(...where))
    .orderBy(descending(order.column), descending(alerts.id))
    .limit(query.first + 1);
  return toPage(rows, query.first, Boolean(query.after), { tag: orderBy, key: (r) => [order.key(r), r.id] }, (r) => r, async () => {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(alerts)
      .leftJoin(ownTriage, ownTriageJoin(viewer))
      .where(and(...conditions(viewer, query.filter)));
    return row?.n ?? 0;
  });
}

/** The alerts of these ids the viewer may see, as it reads them; inside a write's transaction too. */
export function alertsByIds(db: Pick<Db, 'select'>, viewer: Viewer, ids: readonly string[]): Promise<AlertRead[]> {
  return db
    .select(readColumns(viewer))
    .from(alerts)
    .leftJoin(ownTriage, ownTriageJoin(viewer))
    .where(and(inArray(alerts.id, [...ids]), visible(viewer)));
}

/**
 * The alerts still open for the viewer in some countries, counted by level: those that hold (not
 * superseded as the viewer knows it, not historical) and that the viewer's organization has not dismissed
 * or closed. One grouped statement.
 */
export async function openAlertCounts(db: Db, viewer: Viewer, countryCodes: readonly string[]): Promise<Record<string, number>> {
  // One row of counts (FILTER), not GROUP BY level: the open alerts are counted, never sorted.
  const count = (level: string) => sql<number>`(count(*) filter (where ${alerts.level} = ${level}))::int`;
  const [row] = await db
    .select({ WATCH: count('WATCH'), WARNING: count('WARNING'), CRITICAL: count('CRITICAL') })
    .from(alerts)
    .leftJoin(ownTriage, ownTriageJoin(viewer))
    .where(and(...conditions(viewer, null), inArray(alerts.countryIso3, [...countryCodes]), sql`${ownState} not in ('DISMISSED', 'CLOSED')`));
  return { ...row };
}
