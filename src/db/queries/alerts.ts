import { and, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer, Viewer } from '../../auth/viewer.js';
import { ApiError, badInput, ErrorCode, notFound } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import type { Db } from '../database.js';
import { alerts, type AlertRow } from '../schema/alerts.js';
import { auditEvents } from '../schema/audit.js';
import { alertVisibleTo } from '../visibility.js';
import { observationRowRule } from './observations.js';
import { toPage } from './page.js';
import { descending } from './sql-fragments.js';

export interface AlertFilter {
  country?: string | null;
  indicator?: string | null;
  /** The lowest level wanted: WATCH lists all, CRITICAL only critical ones. */
  level?: string | null;
  status?: string | null;
  since?: Date | null;
}

const LEVELS_FROM: Record<string, string[]> = {
  WATCH: ['WATCH', 'WARNING', 'CRITICAL'],
  WARNING: ['WARNING', 'CRITICAL'],
  CRITICAL: ['CRITICAL'],
};

const visible = (viewer: Viewer) => alertVisibleTo(viewer, alerts, observationRowRule);

function conditions(viewer: Viewer, filter: AlertFilter | null | undefined): SQL[] {
  const where = [visible(viewer)];
  if (filter?.country) where.push(eq(alerts.countryIso3, filter.country));
  if (filter?.indicator) where.push(eq(alerts.indicatorCode, filter.indicator));
  if (filter?.level) where.push(inArray(alerts.level, LEVELS_FROM[filter.level] as AlertRow['level'][]));
  if (filter?.status) where.push(eq(alerts.status, filter.status as AlertRow['status']));
  if (filter?.since) where.push(gte(alerts.raisedAt, filter.since));
  return where;
}

const CURSOR = 'alert';

/** Alerts the viewer may see, newest first. */
export async function findAlerts(db: Db, viewer: Viewer, query: { filter?: AlertFilter | null; first: number; after?: string | null }): Promise<Page<AlertRow>> {
  const where = conditions(viewer, query.filter);
  if (query.after) {
    const [raisedAt, id] = decodeCursor(CURSOR, query.after, ['instant', 'uuid']);
    if (Number.isNaN(Date.parse(raisedAt as string)) || !/^[0-9a-f-]{36}$/.test(id as string)) throw badInput('The `after` cursor is not valid for this list', 'after');
    where.push(sql`(${alerts.raisedAt}, ${alerts.id}) < (${raisedAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(descending(alerts.raisedAt), descending(alerts.id))
    .limit(query.first + 1);
  return toPage(rows, query.first, Boolean(query.after), { tag: CURSOR, key: (r) => [r.raisedAt.toISOString(), r.id] }, (r) => r, async () => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(alerts).where(and(...conditions(viewer, query.filter)));
    return row?.n ?? 0;
  });
}

export function alertsByIds(db: Db, viewer: Viewer, ids: readonly string[]): Promise<AlertRow[]> {
  return db.select().from(alerts).where(and(inArray(alerts.id, [...ids]), visible(viewer)));
}

/** Analysts of an organization that can see an alert acknowledge it, with a note; audited in the same transaction. */
export async function acknowledgeAlert(db: Db, viewer: MemberViewer, id: string, note: string): Promise<AlertRow> {
  return db.transaction(async (tx) => {
    const [alert] = await tx.select().from(alerts).where(and(eq(alerts.id, id), visible(viewer))).for('update');
    if (!alert) throw notFound('Alert');
    if (alert.status === 'ACKNOWLEDGED') throw new ApiError(ErrorCode.CONFLICT, `The alert was already acknowledged by ${alert.acknowledgedByOrgId}`);
    const [updated] = await tx
      .update(alerts)
      .set({ status: 'ACKNOWLEDGED', acknowledgedAt: sql`now()`, acknowledgedBySub: viewer.sub, acknowledgedByOrgId: viewer.organizationId, acknowledgementNote: note })
      .where(eq(alerts.id, id))
      .returning();
    await tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action: 'acknowledgeAlert', observationIds: alert.observationIds });
    return updated!;
  });
}

