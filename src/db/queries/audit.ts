import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Viewer } from '../../auth/viewer.js';
import { badInput } from '../../errors.js';
import { decodeCursor } from '../../schema/common/cursor.js';
import { page, type Page } from '../../schema/common/connection.js';
import type { Db } from '../database.js';
import { auditEvents, type AuditEventRow, type NewAuditEvent, type RecordFields } from '../schema/audit.js';
import { grants } from '../schema/grants.js';
import { observations } from '../schema/observations.js';
import { reports } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { observationRowRule } from './observations.js';
import { toPage } from './page.js';
import { reportRowRule } from './reports.js';

/** Appends entries; the table is append-only, so this is the only write it ever gets. */
export async function appendAuditEvents(db: Db, entries: NewAuditEvent[]): Promise<void> {
  if (entries.length > 0) await db.insert(auditEvents).values(entries);
}

/**
 * Which of the given records the access log says were handed to `actorSub` by `operationName` (a peer
 * instance's pulls): every page is logged before it is answered, so this is what the peer may hold.
 */
export async function recordsHandedTo(db: Db, actorSub: string, operationName: string, which: { reportIds: readonly string[]; observationIds: readonly string[] }): Promise<Set<string>> {
  const held = async (column: typeof auditEvents.reportIds | typeof auditEvents.observationIds, ids: readonly string[]) => {
    if (ids.length === 0) return [];
    const wanted = sql`array[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]::uuid[]`;
    const rows = await db
      .selectDistinct({ id: sql<string>`held.id` })
      .from(sql`${auditEvents} cross join lateral unnest(${column}) as held(id)`)
      .where(and(eq(auditEvents.actorSub, actorSub), eq(auditEvents.operationName, operationName), sql`${column} && ${wanted}`, sql`held.id = any(${wanted})`));
    return rows.map((r) => r.id);
  };
  const [reportIds, observationIds] = await Promise.all([held(auditEvents.reportIds, which.reportIds), held(auditEvents.observationIds, which.observationIds)]);
  return new Set([...reportIds, ...observationIds]);
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

/**
 * A report's own access log, as its reader sees it. An entry is a whole request, which may also have
 * touched records of other organizations that the reader may not see; naming them would hand out the
 * very ids the row rule hides. So each entry shows this report and, of the other records it names,
 * only those the reader may see; the grants of this report only; and only the restricted fields read on
 * the records it shows (entries written before fields were recorded by record show none). Auditors read
 * whole entries through auditEvents.
 */
export async function findReportAccessLog(db: Db, viewer: Viewer, reportId: string, args: { first: number; after?: string | null }): Promise<Page<AuditEventRow>> {
  const source = await findAuditEvents(db, { filter: { reportId }, first: args.first, after: args.after });
  const rows = source.edges.map((edge) => edge.node);
  const [visibleReports, visibleObservations, ownGrants] = await Promise.all([
    visibleIds(db, reports, visibleTo(viewer, reportRowRule), rows.flatMap((r) => r.reportIds)),
    visibleIds(db, observations, visibleTo(viewer, observationRowRule), rows.flatMap((r) => r.observationIds)),
    grantIdsOf(db, reportId, rows.flatMap((r) => r.grantIds)),
  ]);
  visibleReports.add(reportId);
  const edges = source.edges.map((edge) => ({ cursor: edge.cursor, node: concerning(edge.node, visibleReports, visibleObservations, ownGrants) }));
  return page(edges, source.pageInfo, () => source.totalCount);
}

function concerning(row: AuditEventRow, reportIds: Set<string>, observationIds: Set<string>, grantIds: Set<string>): AuditEventRow {
  const shown = { reportIds: row.reportIds.filter((id) => reportIds.has(id)), observationIds: row.observationIds.filter((id) => observationIds.has(id)) };
  const fieldsOn = (which: 'fields' | 'deniedFields') => {
    const on = [...shown.reportIds, ...shown.observationIds, '*'].flatMap((key) => (row.recordFields as RecordFields)[key]?.[which] ?? []);
    return [...new Set(on)];
  };
  return {
    ...row,
    ...shown,
    grantIds: row.grantIds.filter((id) => grantIds.has(id)),
    originOrgIds: [],
    fields: fieldsOn('fields'),
    deniedFields: fieldsOn('deniedFields'),
    recordFields: {},
  };
}

async function visibleIds(db: Db, table: typeof reports | typeof observations, rule: SQL, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: table.id })
    .from(table)
    .where(and(inArray(table.id, [...new Set(ids)]), rule));
  return new Set(rows.map((r) => r.id));
}

async function grantIdsOf(db: Db, reportId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: grants.id })
    .from(grants)
    .where(and(inArray(grants.id, [...new Set(ids)]), eq(grants.reportId, reportId)));
  return new Set(rows.map((r) => r.id));
}
