import { asc, gte } from 'drizzle-orm';
import type { Db } from '../database.js';
import { alerts } from '../schema/alerts.js';

/**
 * Ids of the alerts raised since `since`, oldest first: what the live feed replays after its LISTEN
 * connection was lost (a NOTIFY sent while no one listened is gone). Ids only, as on the bus: every
 * subscriber reloads the alert under its own viewer's row rule.
 */
export async function alertIdsRaisedSince(db: Db, since: Date, limit: number): Promise<string[]> {
  const rows = await db.select({ id: alerts.id }).from(alerts).where(gte(alerts.raisedAt, since)).orderBy(asc(alerts.raisedAt)).limit(limit);
  return rows.map((row) => row.id);
}
