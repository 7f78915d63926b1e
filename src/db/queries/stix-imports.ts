import { and, eq } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import type { MemberViewer } from '../../auth/viewer.js';
import type { Db } from '../database.js';
import { auditEvents } from '../schema/audit.js';
import { reports } from '../schema/reports.js';
import { taxiiStatuses } from '../schema/taxii-statuses.js';
import { reportColumns, type ReportRecord } from './reports.js';

/**
 * What the STIX import (src/stix/import.ts) reads and writes beside the report write functions of
 * report-writes.ts, which write the reports themselves with their change-feed and audit entries.
 */

/**
 * The reports of one organization with the STIX id they were imported with (null: exported under the
 * UUIDv5 of their own id). Only the importer's own organization's reports: a revision is only ever
 * written by the author's organization, and looking wider would tell an importer that a report it may
 * not see holds an id.
 */
export function ownReportStixIds(db: Db, organizationId: string): Promise<{ id: string; stixId: string | null }[]> {
  return db.select({ id: reports.id, stixId: reports.stixId }).from(reports).where(eq(reports.authorOrgId, organizationId));
}

export async function reportForImport(db: Db, organizationId: string, id: string): Promise<ReportRecord | undefined> {
  const [row] = await db
    .select(reportColumns)
    .from(reports)
    .where(and(eq(reports.id, id), eq(reports.authorOrgId, organizationId)))
    .for('update');
  return row;
}

/** Keeps the STIX id and version a report was imported as, so it is exported again as the same object. */
export async function markImported(db: Db, id: string, stixId: string, modified: Date): Promise<void> {
  await db.update(reports).set({ stixId, stixModified: modified }).where(eq(reports.id, id));
}

/** The import's own audit entry, beside the write functions' entries for each report. */
export async function auditImport(db: Db, viewer: MemberViewer, reportIds: string[], reason: string): Promise<void> {
  await db.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action: 'importStix', reportIds, originOrgIds: [viewer.organizationId], reason });
}

export async function saveTaxiiStatus(db: Db, status: { id: string; organizationId: string; requestedAt: Date; resource: Record<string, unknown> }): Promise<void> {
  await db.insert(taxiiStatuses).values(status);
}

/** A status of this organization's; another organization's answers as a missing one (undefined). */
export async function findTaxiiStatus(db: Db, organizationId: string, id: string): Promise<Record<string, unknown> | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const [row] = await db
    .select({ resource: taxiiStatuses.resource })
    .from(taxiiStatuses)
    .where(and(eq(taxiiStatuses.id, id), eq(taxiiStatuses.organizationId, organizationId)));
  return row?.resource;
}
