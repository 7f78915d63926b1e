import { asc, gte } from 'drizzle-orm';
import type { Db } from '../database.js';
import { alertTriage } from '../schema/alert-triage.js';
import { alerts } from '../schema/alerts.js';
import type { TriageEvent } from './alert-triage.js';

/**
 * Ids of the alerts raised since `since`, oldest first: what the live feed replays after its LISTEN
 * connection was lost (a NOTIFY sent while no one listened is gone). Ids only, as on the bus: every
 * subscriber reloads the alert under its own viewer's row rule.
 */
export async function alertIdsRaisedSince(db: Db, since: Date, limit: number): Promise<string[]> {
  const rows = await db.select({ id: alerts.id }).from(alerts).where(gte(alerts.raisedAt, since)).orderBy(asc(alerts.raisedAt)).limit(limit);
  return rows.map((row) => row.id);
}

/** Triage changes since `since`, oldest first, each as it stands now: what the feed replays after a loss. */
export async function triageChangesSince(db: Db, since: Date, limit: number): Promise<TriageEvent[]> {
  const rows = await db
    .select({ alertId: alertTriage.alertId, organizationId: alertTriage.organizationId, updatedAt: alertTriage.updatedAt })
    .from(alertTriage)
    .where(gte(alertTriage.updatedAt, since))
    .orderBy(asc(alertTriage.updatedAt))
    .limit(limit);
  return rows.map((r) => ({ alertId: r.alertId, organizationId: r.organizationId, at: r.updatedAt.toISOString() }));
}
