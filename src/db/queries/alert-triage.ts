import { and, desc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { nextStates, transitionRefusal, type TriageState } from '../../alerts/triage.js';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer } from '../../auth/viewer.js';
import { ApiError, ErrorCode, notFound } from '../../errors.js';
import type { Db } from '../database.js';
import { alertTriage, alertTriageNotes, type AlertTriageNoteRow, type AlertTriageRow } from '../schema/alert-triage.js';
import { auditEvents } from '../schema/audit.js';
import { alertsByIds, type AlertRead } from './alerts.js';
import { textArray } from './sql-fragments.js';

/** The channel on which a committed triage change is announced (LISTEN/NOTIFY), for its organization only. */
export const TRIAGE_CHANNEL = 'ctewn_alert_triaged';

/** What a triage write changes: a step (with its note), the assignee, or a note alone. */
export type TriageChange =
  | { kind: 'transition'; to: TriageState; note: string; field: string }
  | { kind: 'assign'; assigneeSub: string | null }
  | { kind: 'note'; note: string };

/** A triage change as announced: which alert, whose triage, and when (the dedup key of a replay too). */
export interface TriageEvent {
  alertId: string;
  organizationId: string;
  at: string;
}

/**
 * Changes the viewer's own organization's triage of an alert it may see (an alert it may not see is
 * NOT_FOUND, as a missing one), in one transaction with its audit entry and the announcement of the
 * change to the organization's subscribers. The triage row is created NEW on the first change and locked,
 * so two analysts of one organization take turns: the second is judged against the state the first left.
 * Another organization's triage is never read or written here.
 */
export async function changeTriage(db: Db, viewer: MemberViewer, alertId: string, change: TriageChange, action: string): Promise<AlertRead> {
  return db.transaction(async (tx) => {
    const [alert] = await alertsByIds(tx, viewer, [alertId]);
    if (!alert) throw notFound('Alert');
    const key = and(eq(alertTriage.alertId, alertId), eq(alertTriage.organizationId, viewer.organizationId));
    await tx.insert(alertTriage).values({ alertId, organizationId: viewer.organizationId, updatedBySub: viewer.sub }).onConflictDoNothing();
    const [current] = await tx.select().from(alertTriage).where(key).for('update');
    const set: PgUpdateSetSource<typeof alertTriage> = { updatedAt: sql`now()`, updatedBySub: viewer.sub };
    let note: { body: string; state: TriageState | null } | null = null;
    if (change.kind === 'transition') {
      const refusal = transitionRefusal(current!.state, change.to, alert.supersededForViewer);
      if (refusal) {
        throw new ApiError(ErrorCode.CONFLICT, `Cannot move the triage to ${change.to}: ${refusal}`, {
          field: change.field,
          state: current!.state,
          allowed: nextStates(current!.state, alert.supersededForViewer),
        });
      }
      set.state = change.to;
      if (change.to === 'ACKNOWLEDGED' && !current!.acknowledgedAt) set.acknowledgedAt = sql`now()`;
      if (change.to === 'ESCALATED' && !current!.escalatedAt) set.escalatedAt = sql`now()`;
      note = { body: change.note, state: change.to };
    } else if (change.kind === 'assign') {
      set.assigneeSub = change.assigneeSub;
    } else {
      note = { body: change.note, state: null };
    }
    const [updated] = await tx.update(alertTriage).set(set).where(key).returning({ updatedAt: alertTriage.updatedAt });
    if (note) await tx.insert(alertTriageNotes).values({ alertId, organizationId: viewer.organizationId, authorSub: viewer.sub, body: note.body, state: note.state });
    await tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action, alertIds: [alertId], observationIds: alert.observationIds });
    const event: TriageEvent = { alertId, organizationId: viewer.organizationId, at: updated!.updatedAt.toISOString() };
    await tx.execute(sql`select pg_notify(${TRIAGE_CHANNEL}, ${JSON.stringify(event)})`);
    const [read] = await alertsByIds(tx, viewer, [alertId]);
    return read!;
  });
}

/**
 * Every organization's triage of these alerts (the coordinators' view; the field policy decides who reads
 * it, this reads rows), one statement for a page of alerts.
 */
export function triagesOfAlerts(db: Db, alertIds: readonly string[]): Promise<AlertTriageRow[]> {
  return db.select().from(alertTriage).where(inArray(alertTriage.alertId, [...alertIds])).orderBy(alertTriage.alertId, alertTriage.organizationId);
}

/** The key of one organization's thread on one alert in the notes loader. */
export const threadKey = (t: { alertId: string; organizationId: string }) => `${t.alertId}|${t.organizationId}`;

/** Which notes of each thread: the latest `first`, of all or of the steps to `state`. */
export interface ThreadQuery {
  first: number;
  state?: TriageState;
}

/**
 * The latest notes of each thread (an organization's triage of an alert), newest first, in one statement
 * for any number of threads. Threads are named by key; the field policy decides who reads them.
 */
export async function notesOfThreads(db: Db, keys: readonly string[], query: ThreadQuery): Promise<Map<string, AlertTriageNoteRow[]>> {
  const threads = keys.map((k) => k.split('|') as [string, string]);
  const ranked = db
    .select({ ...getTableColumns(alertTriageNotes), rank: sql<number>`row_number() over (partition by ${alertTriageNotes.alertId}, ${alertTriageNotes.organizationId} order by ${alertTriageNotes.id} desc)`.as('rank') })
    .from(alertTriageNotes)
    .where(
      and(
        sql`(${alertTriageNotes.alertId}, ${alertTriageNotes.organizationId}) in (select * from unnest(${textArray(threads.map(([a]) => a))}::uuid[], ${textArray(threads.map(([, o]) => o))}))`,
        query.state ? eq(alertTriageNotes.state, query.state) : undefined,
      ),
    )
    .as('ranked');
  const { id, alertId, organizationId, authorSub, writtenAt, body, state } = ranked;
  const rows = await db
    .select({ id, alertId, organizationId, authorSub, writtenAt, body, state })
    .from(ranked)
    .where(lte(ranked.rank, query.first))
    .orderBy(desc(ranked.id));
  const byThread = new Map<string, AlertTriageNoteRow[]>(keys.map((k) => [k, []]));
  for (const row of rows) byThread.get(threadKey(row))?.push(row);
  return byThread;
}
