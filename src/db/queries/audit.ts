import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { badInput } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import type { Page } from '../../schema/common/connection.js';
import type { Db } from '../database.js';
import { auditEvents, type AuditEventRow, type NewAuditEvent } from '../schema/audit.js';
import { toPage } from './page.js';

/** Appends entries; the table is append-only, so this is the only write it ever gets. */
export async function appendAuditEvents(db: Db, entries: NewAuditEvent[]): Promise<void> {
  if (entries.length > 0) await db.insert(auditEvents).values(entries);
}

export interface AuditQuery {
  filter?: {
    actorOrganization?: string | null;
    kind?: string | null;
    reportId?: string | null;
    since?: Date | null;
    until?: Date | null;
  } | null;
  /** Restricts to entries touching records of this originating organization (a data owner's view). */
  originOrganization?: string | null;
  first: number;
  after?: string | null;
}

const CURSOR = 'audit';

function conditions(query: AuditQuery): SQL[] {
  const where: SQL[] = [];
  const f = query.filter;
  if (f?.actorOrganization) where.push(eq(auditEvents.actorOrgId, f.actorOrganization));
  if (f?.kind) where.push(eq(auditEvents.kind, f.kind as AuditEventRow['kind']));
  if (f?.reportId) where.push(sql`${auditEvents.reportIds} @> array[${f.reportId}]::uuid[]`);
  if (f?.since) where.push(gte(auditEvents.occurredAt, f.since));
  if (f?.until) where.push(lt(auditEvents.occurredAt, f.until));
  if (query.originOrganization) where.push(sql`${auditEvents.originOrgIds} @> array[${query.originOrganization}]::text[]`);
  return where;
}

export async function findAuditEvents(db: Db, query: AuditQuery): Promise<Page<AuditEventRow>> {
  const where = conditions(query);
  if (query.after) {
    const [id] = decodeCursor(CURSOR, query.after, ['integer']);
    if (!Number.isSafeInteger(id)) throw badInput('The `after` cursor is not valid for this list', 'after');
    where.push(lt(auditEvents.id, id as number));
  }
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(query.first + 1);
  return toPage(rows, query.first, Boolean(query.after), { tag: CURSOR, key: (r) => [r.id] }, (r) => r, async () => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(and(...conditions(query)));
    return row?.n ?? 0;
  });
}
