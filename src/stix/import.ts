import { lowersMarking } from '../auth/policy.js';
import type { MemberViewer } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { createReport, retractReport, updateReport } from '../db/queries/report-writes.js';
import { auditImport, markImported, ownReportStixIds, reportForImport } from '../db/queries/stix-imports.js';
import type { ReferenceData } from '../db/reference.js';
import { ApiError } from '../errors.js';
import { toReport } from '../schema/report/report.mapper.js';
import type { StixObject } from './reference.js';
import { planReport, type ReportPlan } from './report-in.js';
import { reportIdOf, reportVersion } from './report.js';
import { bundleErrors, type AnyStix } from './schemas.js';

/**
 * STIX in, for reports (issue 16): a bundle of `report` objects with the identities, locations and
 * markings they refer to becomes new reports, or new revisions of reports this organization imported
 * or wrote before. The WHOLE bundle is checked first (every object against the official STIX 2.1
 * schemas, every report against what the network can keep), then everything is written in one
 * transaction through the same write functions as GraphQL (createReport, updateReport, retractReport:
 * the write policy, the change feed and their audit entries), plus one audit entry for the import.
 * Any refusal writes nothing.
 *
 * Versions (STIX 2.1 §3.6: `id` and `modified` name a version): a report already held under the same
 * id is revised by a newer `modified`; the same `modified` again writes nothing (a retried push, a
 * re-import); an older `modified` is skipped, not refused, since a feed that re-sends an old version
 * is normal and the newer one is already held. Both are named in the outcome.
 */

export interface ObjectOutcome {
  id: string;
  version?: string;
  /** Written or already held (a TAXII success), or not kept (a TAXII failure). */
  ok: boolean;
  message: string;
  reportId?: string;
}

export interface StixImportResult {
  bundleId: string | null;
  counts: { created: number; revised: number; unchanged: number; older: number };
  outcomes: ObjectOutcome[];
}

export interface ImportProblem {
  /** The object the problem is about (null: the bundle itself). */
  id: string | null;
  message: string;
}

/** The bundle was refused as a whole: nothing was written. */
export class StixImportRefused extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(`the bundle was refused, nothing was written: ${problems.map((p) => (p.id ? `${p.id} ${p.message}` : p.message)).join('; ')}`);
  }
}

/** Objects the import reads to understand the reports; the network keeps its own copy of such data. */
const READ_ONLY_TYPES = new Set(['identity', 'location', 'marking-definition', 'extension-definition', 'ctewn-indicator']);

interface Planned {
  bundleId: string | null;
  objects: StixObject[];
  plans: ReportPlan[];
}

/** Every problem of the bundle, found before anything is written. */
export function planBundle(value: unknown, reference: ReferenceData, organizationId: string): Planned {
  const bundle = value as { type?: unknown; id?: unknown; objects?: unknown };
  if (typeof bundle !== 'object' || bundle === null || bundle.type !== 'bundle' || !Array.isArray(bundle.objects)) {
    throw new StixImportRefused([{ id: null, message: 'is not a STIX 2.1 bundle (an object with "type": "bundle" and an "objects" array)' }]);
  }
  const problems: ImportProblem[] = bundleErrors(bundle as { objects: AnyStix[] }).map((line) => {
    const [id, ...rest] = line.split(' ');
    return /--/.test(id ?? '') ? { id: id!, message: `is not valid STIX 2.1: ${rest.join(' ')}` } : { id: null, message: `is not valid STIX 2.1: ${line}` };
  });
  if (problems.length > 0) throw new StixImportRefused(problems);
  const objects = bundle.objects as StixObject[];
  const byId = new Map(objects.map((o) => [o.id, o]));
  const plans: ReportPlan[] = [];
  for (const object of objects.filter((o) => o.type === 'report')) {
    const plan = planReport(object, { byId, reference, organizationId });
    if ('refusals' in plan) problems.push(...plan.refusals.map((message) => ({ id: object.id, message })));
    else plans.push(plan);
  }
  if (plans.length === 0 && problems.length === 0) problems.push({ id: null, message: 'holds no report object; the network imports reports' });
  if (problems.length > 0) throw new StixImportRefused(problems);
  return { bundleId: typeof bundle.id === 'string' ? bundle.id : null, objects, plans };
}

/** Rolls a dry run's transaction back once it has found what it would write. */
class DryRun extends Error {
  constructor(readonly result: StixImportResult) {
    super('dry run');
  }
}


/**
 * Imports a parsed bundle as `viewer` (a contributor of the organization it writes for). With dryRun,
 * everything is written and rolled back, so the outcome is exactly what a real import would do.
 * `source` says where the bundle came from, for the audit entry (a file name, a TAXII request).
 */
export async function importStixBundle(
  db: Db,
  viewer: MemberViewer,
  reference: ReferenceData,
  value: unknown,
  options: { dryRun?: boolean; source: string },
): Promise<StixImportResult> {
  const planned = planBundle(value, reference, viewer.organizationId);
  try {
    return await db.transaction(async (tx) => {
      const result = await writePlans(tx, viewer, planned);
      const written = result.outcomes.filter((o) => o.reportId && /^(created|revised)/.test(o.message)).map((o) => o.reportId!);
      if (written.length > 0) {
        const { created, revised, unchanged, older } = result.counts;
        await auditImport(tx, viewer, written, `STIX import from ${options.source}${planned.bundleId ? ` (${planned.bundleId})` : ''}: ${created} created, ${revised} revised, ${unchanged} unchanged, ${older} older skipped`);
      }
      if (options.dryRun) throw new DryRun(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

async function writePlans(tx: Db, viewer: MemberViewer, planned: Planned): Promise<StixImportResult> {
  // Our own reports are exported under the UUIDv5 of their id: one that comes back is the same report.
  const held = new Map((await ownReportStixIds(tx, viewer.organizationId)).map((r) => [r.stixId ?? reportIdOf(r.id), r.id]));
  const counts = { created: 0, revised: 0, unchanged: 0, older: 0 };
  const byObject = new Map<StixObject, ObjectOutcome>();
  // Versions of one id in a bundle are applied oldest first, so the newest is the one held.
  const plans = [...planned.plans].sort((a, b) => a.modified.getTime() - b.modified.getTime());
  for (const plan of plans) {
    const version = plan.modified.toISOString();
    try {
      const outcome = await writePlan(tx, viewer, plan, held.get(plan.stixId));
      counts[outcome.kind] += 1;
      held.set(plan.stixId, outcome.reportId);
      const notKept = plan.notKept.length > 0 ? `; not kept: ${plan.notKept.slice(0, 10).join(', ')}${plan.notKept.length > 10 ? ` and ${plan.notKept.length - 10} more` : ''}` : '';
      byObject.set(plan.object, { id: plan.stixId, version, ok: true, reportId: outcome.reportId, message: `${outcome.message}${notKept}` });
    } catch (error) {
      // A write the policy refuses (a marking this member may not set, a report of another person under
      // TLP:RED…) refuses the bundle: one transaction, all or nothing.
      if (error instanceof ApiError) throw new StixImportRefused([{ id: plan.stixId, message: `was refused: ${error.message}` }]);
      throw error;
    }
  }
  const outcomes = planned.objects.map(
    (o): ObjectOutcome =>
      byObject.get(o) ??
      (READ_ONLY_TYPES.has(o.type)
        ? { id: o.id, ok: true, message: 'read to import the reports; the network keeps its own reference data' }
        : { id: o.id, ok: false, message: `not stored: the network imports reports (with their identities, locations and markings), not ${o.type} objects` }),
  );
  return { bundleId: planned.bundleId, counts, outcomes };
}

type Written = { kind: 'created' | 'revised' | 'unchanged' | 'older'; reportId: string; message: string };

async function writePlan(tx: Db, viewer: MemberViewer, plan: ReportPlan, heldId: string | undefined): Promise<Written> {
  const reason = `Revoked by its producer (STIX ${plan.stixId}, version ${plan.modified.toISOString()})`;
  if (!heldId) {
    let row = await createReport(tx, viewer, plan.content);
    if (plan.revoked) row = await retractReport(tx, viewer, row.id, reason);
    await markImported(tx, row.id, plan.stixId, plan.modified);
    return { kind: 'created', reportId: row.id, message: `created report ${row.id}${plan.revoked ? ' (revoked: retracted)' : ''}` };
  }
  const current = await reportForImport(tx, viewer.organizationId, heldId);
  if (!current) throw new Error(`report ${heldId} vanished during the import`);
  // The version held is the one imported, as sent; what is exported (reportVersion) is never before the
  // publication, which a producer's `modified` may be.
  const heldVersion = current.stixModified?.getTime() ?? Date.parse(reportVersion(toReport(current)));
  if (plan.modified.getTime() === heldVersion) return { kind: 'unchanged', reportId: current.id, message: `unchanged: report ${current.id} holds this version already` };
  if (plan.modified.getTime() < heldVersion) {
    return { kind: 'older', reportId: current.id, message: `skipped: older than the version report ${current.id} holds (${new Date(heldVersion).toISOString()})` };
  }
  const releaseReason = lowersMarking(current.tlp, plan.content.tlp) ? `Released by STIX import (${plan.stixId}, version ${plan.modified.toISOString()})` : null;
  let row = current;
  if (!(current.retractedAt && plan.revoked)) row = await updateReport(tx, viewer, current.id, current.revision, plan.content, releaseReason);
  if (plan.revoked && !row.retractedAt) row = await retractReport(tx, viewer, row.id, reason);
  await markImported(tx, row.id, plan.stixId, plan.modified);
  return { kind: 'revised', reportId: row.id, message: `revised report ${row.id} (revision ${row.revision})${plan.revoked ? ' (revoked: retracted)' : ''}` };
}
