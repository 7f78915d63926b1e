import { and, eq, getTableColumns, gte, inArray, lt, not, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer, Viewer } from '../../auth/viewer.js';
import { ApiError, ErrorCode, notFound } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import { appliesTo, qualified } from '../applicability.js';
import type { Db } from '../database.js';
import { alerts, type AlertRow } from '../schema/alerts.js';
import { auditEvents } from '../schema/audit.js';
import { alertVisibleTo, visibleTo } from '../visibility.js';
import { observations } from '../schema/observations.js';
import { grants } from '../schema/grants.js';
import { observationRowRule } from './observations.js';
import { toPage } from './page.js';
import { descending } from './sql-fragments.js';

export interface AlertFilter {
  country?: string | null;
  indicator?: string | null;
  /** The lowest level wanted: WATCH lists all, CRITICAL only critical ones. */
  level?: string | null;
  /** OPEN or ACKNOWLEDGED (of alerts in force), or SUPERSEDED. */
  status?: string | null;
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

const superseding = alias(observations, 'superseding');
/**
 * Whether the viewer sees an alert as superseded: a recompute supersedes for everyone; a value revision
 * only for those who may see that revision. Others see the alert as it stood (they see the value it stood
 * on): its supersession would tell them that a correction they may not see exists.
 */
export function supersededFor(viewer: Viewer): SQL {
  return sql`(${alerts.supersededAt} is not null and (${alerts.supersededByObservationId} is null or exists (
    select 1 from ${observations} as ${sql.identifier('superseding')} where ${superseding.id} = ${alerts.supersededByObservationId} and ${visibleTo(viewer, {
      id: superseding.id,
      tlp: superseding.tlp,
      originOrgId: superseding.sourceOrgId,
      originSub: superseding.recordedBySub,
      grantSubject: grants.observationId,
    })})))`;
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
    if (filter?.status) where.push(eq(alerts.status, filter.status as AlertRow['status']));
    if (filter?.status || !filter?.includeSuperseded) where.push(not(superseded));
  }
  if (!filter?.includeHistorical) where.push(eq(alerts.historical, false));
  if (filter?.knownFrom) where.push(gte(alerts.knownAt, filter.knownFrom));
  if (filter?.knownTo) where.push(lt(alerts.knownAt, filter.knownTo));
  if (filter?.periodFrom) where.push(gte(alerts.periodStart, filter.periodFrom));
  if (filter?.periodBefore) where.push(lt(alerts.periodStart, filter.periodBefore));
  return where;
}

/** An alert as a viewer reads it: superseded or not as that viewer may know (supersededFor). */
export type AlertRead = AlertRow & { supersededForViewer: boolean };
const readColumns = (viewer: Viewer) => ({ ...getTableColumns(alerts), supersededForViewer: sql<boolean>`${supersededFor(viewer)}` });

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
    .where(and(...where))
    .orderBy(descending(order.column), descending(alerts.id))
    .limit(query.first + 1);
  return toPage(rows, query.first, Boolean(query.after), { tag: orderBy, key: (r) => [order.key(r), r.id] }, (r) => r, async () => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(alerts).where(and(...conditions(viewer, query.filter)));
    return row?.n ?? 0;
  });
}

export function alertsByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<AlertRead[]> {
  return db.select(readColumns(viewer)).from(alerts).where(and(inArray(alerts.id, [...ids]), visible(viewer)));
}

/** Analysts of an organization that can see an alert acknowledge it, with a note; audited in the same transaction. */
export async function acknowledgeAlert(db: Db, viewer: MemberViewer, id: string, note: string): Promise<AlertRead> {
  return db.transaction(async (tx) => {
    const [alert] = await tx.select(readColumns(viewer)).from(alerts).where(and(eq(alerts.id, id), visible(viewer))).for('update', { of: alerts });
    if (!alert) throw notFound('Alert');
    if (alert.supersededForViewer) throw new ApiError(ErrorCode.CONFLICT, 'The alert was superseded: it no longer holds');
    if (alert.status === 'ACKNOWLEDGED') throw new ApiError(ErrorCode.CONFLICT, `The alert was already acknowledged by ${alert.acknowledgedByOrgId}`);
    const [updated] = await tx
      .update(alerts)
      .set({ status: 'ACKNOWLEDGED', acknowledgedAt: sql`now()`, acknowledgedBySub: viewer.sub, acknowledgedByOrgId: viewer.organizationId, acknowledgementNote: note })
      .where(eq(alerts.id, id))
      .returning(readColumns(viewer));
    await tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action: 'acknowledgeAlert', observationIds: alert.observationIds });
    return updated!;
  });
}

