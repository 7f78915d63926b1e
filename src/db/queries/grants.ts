import { recordChanges } from './change-feed.js';
import type { Tlp } from '../schema/enums.js';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { actorOf } from '../../auth/access-log.js';
import { grantRefusal, mayManageSharing, type GrantTarget } from '../../auth/policy.js';
import type { MemberViewer, OrganizationReader, Viewer } from '../../auth/viewer.js';
import { ApiError, badInput, ErrorCode, notFound, readOnlyCopy } from '../../errors.js';
import type { Db } from '../database.js';
import { auditEvents } from '../schema/audit.js';
import { grants, type GrantRow } from '../schema/grants.js';
import { observations } from '../schema/observations.js';
import { organizations } from '../schema/organizations.js';
import { reports } from '../schema/reports.js';
import { grantAdmitsOrganization, grantInForce, visibleTo } from '../visibility.js';
import { observationRowRule } from './observations.js';
import { reportRowRule } from './reports.js';

export function grantsOfReports(db: Db, reportIds: readonly string[]): Promise<GrantRow[]> {
  return db.select().from(grants).where(inArray(grants.reportId, [...reportIds])).orderBy(asc(grants.grantedAt));
}

export function grantsOfObservations(db: Db, observationIds: readonly string[]): Promise<GrantRow[]> {
  return db.select().from(grants).where(inArray(grants.observationId, [...observationIds])).orderBy(asc(grants.grantedAt));
}

/** A grant with whether it is in force now (not revoked, not expired), and the kind of its record. */
export type GrantAdmitting = GrantRow & { inForce: boolean; recordKind: 'REPORT' | 'OBSERVATION' };

/**
 * The organization grants, in force or not, by which the row rule admits `reader` to records (its own, or
 * under AMBER its parents': grantAdmitsOrganization), of the given records or by grant id: what a peer
 * instance acting for that organization needs of a record's grants (issue 17), and which of them it must
 * be told were revoked or have expired. Person grants (TLP:RED) never admit an organization.
 */
export async function grantsAdmitting(
  db: Db,
  reader: OrganizationReader,
  which: { reportIds?: readonly string[]; observationIds?: readonly string[]; grantIds?: readonly string[] },
): Promise<GrantAdmitting[]> {
  const inForce = sql<boolean>`(${grantInForce()})`;
  const of = (ids: readonly string[] | undefined, subject: AnyPgColumn) => (ids?.length ? inArray(subject, [...ids]) : undefined);
  const [toReports, toObservations] = await Promise.all([
    which.reportIds?.length || which.grantIds?.length
      ? db
          .select({ grant: grants, inForce })
          .from(grants)
          .innerJoin(reports, eq(grants.reportId, reports.id))
          .where(and(which.grantIds?.length ? inArray(grants.id, [...which.grantIds]) : of(which.reportIds, grants.reportId), grantAdmitsOrganization(reader, reports.tlp)))
      : [],
    which.observationIds?.length || which.grantIds?.length
      ? db
          .select({ grant: grants, inForce })
          .from(grants)
          .innerJoin(observations, eq(grants.observationId, observations.id))
          .where(
            and(which.grantIds?.length ? inArray(grants.id, [...which.grantIds]) : of(which.observationIds, grants.observationId), grantAdmitsOrganization(reader, observations.tlp)),
          )
      : [],
  ]);
  return [
    ...toReports.map((r) => ({ ...r.grant, inForce: r.inForce, recordKind: 'REPORT' as const })),
    ...toObservations.map((r) => ({ ...r.grant, inForce: r.inForce, recordKind: 'OBSERVATION' as const })),
  ].sort((a, b) => a.grantedAt.getTime() - b.grantedAt.getTime() || (a.id < b.id ? -1 : 1));
}

export interface ShareRequest {
  subject: { kind: 'report' | 'observation'; id: string };
  organizationId?: string | null;
  person?: string | null;
  purpose: string;
  expiresAt?: Date | null;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** The record as the viewer sees it: a hidden record and a missing one answer the same NOT_FOUND. */
const feedSubject = (subject: ShareRequest['subject']) => ({ kind: subject.kind === 'report' ? ('REPORT' as const) : ('OBSERVATION' as const), id: subject.id });

async function loadSubject(tx: Tx, viewer: Viewer, subject: ShareRequest['subject']) {
  const table = subject.kind === 'report' ? reports : observations;
  const rule = subject.kind === 'report' ? reportRowRule : observationRowRule;
  const origin = subject.kind === 'report' ? reports.authorOrgId : observations.sourceOrgId;
  const [row] = await tx
    .select({ tlp: table.tlp, originOrgId: origin, originInstanceId: table.originInstanceId })
    .from(table)
    .where(and(eq(table.id, subject.id), visibleTo(viewer, rule)))
    .for('update');
  const what = subject.kind === 'report' ? 'Report' : 'Observation';
  if (!row) throw notFound(what);
  // Who may read a copy is decided at its origin, which sends its grants and revocations (issue 17).
  if (row.originInstanceId) throw readOnlyCopy(what, row.originInstanceId);
  return row;
}

/**
 * An organization grant names the organization alone; a person grant names the person (`sub`) and the
 * organization the person belongs to: a `sub` is only unique within its organization's identity provider.
 */
function targetOf(request: ShareRequest): { target: GrantTarget; personOrgId: string | null } {
  if (request.person) {
    if (!request.organizationId) throw badInput("A person is named with the person's organization: give organizationId too", 'organizationId');
    return { target: { person: request.person }, personOrgId: request.organizationId };
  }
  if (!request.organizationId) throw badInput('Give organizationId (an organization), or person with organizationId (a person)', 'organizationId');
  return { target: { organizationId: request.organizationId }, personOrgId: null };
}

/**
 * Shares a record, under the policy (originator's org-admin only; never wider than the marking), with
 * its audit entry in the same transaction: both are written or neither.
 */
export async function shareRecord(db: Db, viewer: MemberViewer, request: ShareRequest): Promise<GrantRow> {
  const { target, personOrgId } = targetOf(request);
  if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt must be in the future', 'expiresAt');
  return db.transaction(async (tx) => {
    const record = await loadSubject(tx, viewer, request.subject);
    if (!mayManageSharing(viewer, record.originOrgId)) {
      throw new ApiError(ErrorCode.FORBIDDEN, "Only the originating organization's org-admin may share this record");
    }
    const refusal = grantRefusal(record.tlp, target);
    if (refusal) throw badInput(`Cannot share: ${refusal}`, 'organizationId' in target ? 'organizationId' : 'person');
    const granteeOrg = 'organizationId' in target ? target.organizationId : personOrgId!;
    const [org] = await tx.select({ active: organizations.active }).from(organizations).where(eq(organizations.id, granteeOrg));
    if (!org?.active) throw badInput(`Unknown or inactive organization "${granteeOrg}"`, 'organizationId');
    if ('organizationId' in target && target.organizationId === record.originOrgId) {
      throw badInput('The originating organization already sees its own record', 'organizationId');
    }
    const subjectColumn = request.subject.kind === 'report' ? grants.reportId : grants.observationId;
    const granteeCondition =
      'organizationId' in target ? eq(grants.granteeOrgId, target.organizationId) : and(eq(grants.granteeSub, target.person), eq(grants.granteePersonOrgId, personOrgId!));
    const [existing] = await tx
      .select({ id: grants.id })
      .from(grants)
      .where(and(eq(subjectColumn, request.subject.id), granteeCondition, sql`${grants.revokedAt} is null`, sql`(${grants.expiresAt} is null or ${grants.expiresAt} > now())`));
    if (existing) throw new ApiError(ErrorCode.CONFLICT, `An active grant to this grantee already exists (${existing.id})`, { grantId: existing.id });
    const [grant] = await tx
      .insert(grants)
      .values({
        reportId: request.subject.kind === 'report' ? request.subject.id : null,
        observationId: request.subject.kind === 'observation' ? request.subject.id : null,
        granteeOrgId: 'organizationId' in target ? target.organizationId : null,
        granteeSub: 'person' in target ? target.person : null,
        granteePersonOrgId: personOrgId,
        purpose: request.purpose,
        expiresAt: request.expiresAt ?? null,
        grantedBySub: viewer.sub,
        grantedByOrgId: viewer.organizationId,
      })
      .returning();
    await recordChanges(tx, [{ kind: 'GRANT', recordId: grant!.id, subject: feedSubject(request.subject), revision: null, change: 'SHARED', originOrgId: record.originOrgId, tlp: record.tlp as Tlp }]);
    await tx.insert(auditEvents).values({
      kind: 'WRITE',
      ...actorOf(viewer),
      action: request.subject.kind === 'report' ? 'shareReport' : 'shareObservation',
      reportIds: request.subject.kind === 'report' ? [request.subject.id] : [],
      observationIds: request.subject.kind === 'observation' ? [request.subject.id] : [],
      grantIds: [grant!.id],
      originOrgIds: [record.originOrgId],
    });
    return grant!;
  });
}

/** Revokes a grant (it stays, marked revoked), with its audit entry in the same transaction. */
export async function revokeGrant(db: Db, viewer: MemberViewer, grantId: string): Promise<GrantRow> {
  return db.transaction(async (tx) => {
    const [grant] = await tx.select().from(grants).where(eq(grants.id, grantId)).for('update');
    if (!grant) throw notFound('Grant');
    const subject = grant.reportId ? { kind: 'report' as const, id: grant.reportId } : { kind: 'observation' as const, id: grant.observationId! };
    // A viewer who may not see the record learns nothing about its grants.
    const record = await loadSubject(tx, viewer, subject).catch((error: unknown) => {
      throw error instanceof ApiError && error.extensions.readOnlyCopy ? error : notFound('Grant');
    });
    if (!mayManageSharing(viewer, record.originOrgId)) {
      throw new ApiError(ErrorCode.FORBIDDEN, "Only the originating organization's org-admin may revoke this grant");
    }
    if (grant.revokedAt) throw new ApiError(ErrorCode.CONFLICT, 'The grant is already revoked');
    const [revoked] = await tx
      .update(grants)
      .set({ revokedAt: sql`now()`, revokedBySub: viewer.sub })
      .where(eq(grants.id, grantId))
      .returning();
    await recordChanges(tx, [{ kind: 'GRANT', recordId: grant.id, subject: feedSubject(subject), revision: null, change: 'REVOKED', originOrgId: record.originOrgId, tlp: record.tlp as Tlp }]);
    await tx.insert(auditEvents).values({
      kind: 'WRITE',
      ...actorOf(viewer),
      action: 'revokeShare',
      reportIds: grant.reportId ? [grant.reportId] : [],
      observationIds: grant.observationId ? [grant.observationId] : [],
      grantIds: [grant.id],
      originOrgIds: [record.originOrgId],
    });
    return revoked!;
  });
}
