import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { countries } from '../schema/countries.js';
import { grants } from '../schema/grants.js';
import { indicators } from '../schema/indicators.js';
import { observations, type ObservationRow } from '../schema/observations.js';
import { organizations } from '../schema/organizations.js';
import { reportCountries, reportIndicators, reports, type ReportRow } from '../schema/reports.js';
import { recordChanges } from './change-feed.js';

/**
 * Read-only copies of records another instance owns (issue 17, item 3): a peer never overwrites the
 * origin's record, it holds copies marked with their origin instance. A copy is an ordinary row of
 * `reports` / `observations` (with `origin_instance_id`), its author organization, marking and the grants
 * that travelled (as `grants` rows), so THE row rule (src/db/visibility.ts) and every read path serve it
 * unchanged. Idempotent by (record id, revision): a lower or equal revision changes nothing, but for a
 * retraction (which keeps its revision) and grants that travelled with it.
 */

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** An entry we cannot apply here: it goes to the dead letters with this reason, and the feed goes on. */
export class CopyRefused extends Error {}

export interface CopiedGrant {
  id: string;
  organizationId: string;
  grantedAt: Date;
  expiresAt: Date | null;
}

interface CopyCommon {
  originInstance: string;
  id: string;
  revision: number;
  tlp: ReportRow['tlp'];
  grants: CopiedGrant[];
}

export interface ReportCopy extends CopyCommon {
  content: Omit<ReportRow, 'id' | 'revision' | 'tlp' | 'originInstanceId' | 'searchVector' | 'createdAt' | 'stixId' | 'stixModified'>;
  countries: string[];
  indicators: string[];
}

export interface ObservationCopy extends CopyCommon {
  content: Omit<ObservationRow, 'id' | 'revision' | 'tlp' | 'originInstanceId' | 'supersededAt'>;
}

/** What applying an entry did: written, or nothing (an older or the same revision). */
export type CopyOutcome = 'WRITTEN' | 'UNCHANGED';

async function missing(tx: Tx, table: typeof organizations | typeof countries | typeof indicators, wanted: readonly string[]): Promise<string[]> {
  const unique = [...new Set(wanted)];
  if (!unique.length) return [];
  const key = 'iso3' in table ? table.iso3 : 'code' in table ? table.code : table.id;
  const found = new Set((await tx.select({ key }).from(table).where(inArray(key, unique))).map((r) => r.key));
  return unique.filter((k) => !found.has(k));
}

/** Reference data the copy names must exist here: a copy that names an unknown one is refused, not half-written. */
async function checkReferences(tx: Tx, orgIds: string[], countryCodes: string[], indicatorCodes: string[]): Promise<void> {
  const problems = [
    ...(await missing(tx, organizations, orgIds)).map((o) => `organization "${o}"`),
    ...(await missing(tx, countries, countryCodes)).map((c) => `country "${c}"`),
    ...(await missing(tx, indicators, indicatorCodes)).map((i) => `indicator "${i}"`),
  ];
  if (problems.length) throw new CopyRefused(`unknown here: ${problems.join(', ')}`);
}

/** The row the id names here must be a copy from the same origin, or nothing: a peer never overwrites ours. */
function checkOwner(kind: string, id: string, current: { originInstanceId: string | null } | undefined, origin: string): void {
  if (!current) return;
  if (current.originInstanceId === null) throw new CopyRefused(`the ${kind} ${id} is one of our own records: a copy from "${origin}" never overwrites it`);
  if (current.originInstanceId !== origin) throw new CopyRefused(`the ${kind} ${id} is a copy from "${current.originInstanceId}", not from "${origin}"`);
}

/** The grants that travelled, as grants rows of the copy (the row rule reads them); an expiry travels with them. */
async function writeGrants(tx: Tx, copy: CopyCommon, subject: { reportId: string } | { observationId: string }, originOrgId: string): Promise<void> {
  for (const g of copy.grants) {
    await tx
      .insert(grants)
      .values({
        id: g.id,
        ...subject,
        granteeOrgId: g.organizationId,
        purpose: `received from instance ${copy.originInstance}`,
        grantedBySub: `instance:${copy.originInstance}`,
        grantedByOrgId: originOrgId,
        grantedAt: g.grantedAt,
        expiresAt: g.expiresAt,
      })
      .onConflictDoUpdate({
        target: grants.id,
        set: { expiresAt: g.expiresAt },
        // Only a grant of this very copy: an id naming another record is left alone.
        where: 'reportId' in subject ? eq(grants.reportId, subject.reportId) : eq(grants.observationId, subject.observationId),
      });
  }
}

/** Applies a report entry: inserts the copy, brings it to a later revision, or retracts it (same revision). */
export async function applyReportCopy(tx: Tx, copy: ReportCopy): Promise<CopyOutcome> {
  const [current] = await tx
    .select({ originInstanceId: reports.originInstanceId, revision: reports.revision, retractedAt: reports.retractedAt })
    .from(reports)
    .where(eq(reports.id, copy.id))
    .for('update');
  checkOwner('report', copy.id, current, copy.originInstance);
  if (current && copy.revision < current.revision) return 'UNCHANGED';
  const { content } = copy;
  await checkReferences(tx, [content.authorOrgId, ...copy.grants.map((g) => g.organizationId)], copy.countries, copy.indicators);
  const newer = !current || copy.revision > current.revision;
  const retracts = Boolean(current && !newer && content.retractedAt && !current.retractedAt);
  // The link to a source we do not hold would break the foreign key: it is kept only if the source is here.
  const [source] = content.tearlineOf ? await tx.select({ id: reports.id }).from(reports).where(eq(reports.id, content.tearlineOf)) : [];
  const row = { ...content, tearlineOf: source ? content.tearlineOf : null, revision: copy.revision, tlp: copy.tlp, originInstanceId: copy.originInstance };
  if (!current) await tx.insert(reports).values({ id: copy.id, ...row });
  else if (newer) await tx.update(reports).set(row).where(eq(reports.id, copy.id));
  else if (retracts) await tx.update(reports).set({ retractedAt: content.retractedAt, retractionReason: content.retractionReason }).where(eq(reports.id, copy.id));
  if (newer) {
    await tx.delete(reportCountries).where(eq(reportCountries.reportId, copy.id));
    await tx.insert(reportCountries).values([...new Set(copy.countries)].map((countryIso3) => ({ reportId: copy.id, countryIso3 })));
    await tx.delete(reportIndicators).where(eq(reportIndicators.reportId, copy.id));
    const codes = [...new Set(copy.indicators)];
    if (codes.length) await tx.insert(reportIndicators).values(codes.map((indicatorCode) => ({ reportId: copy.id, indicatorCode })));
  }
  await writeGrants(tx, copy, { reportId: copy.id }, content.authorOrgId);
  if (!newer && !retracts) return 'UNCHANGED';
  // An entry in our feed, so TAXII lists the copy; egress (src/sync/egress.ts) never sends a copy onward.
  const change = content.retractedAt ? 'RETRACTED' : current ? 'REVISED' : 'CREATED';
  await recordChanges(tx, [{ kind: 'REPORT', recordId: copy.id, revision: copy.revision, change, originOrgId: content.authorOrgId, tlp: copy.tlp }]);
  return 'WRITTEN';
}

/**
 * Applies an observation entry. A value's revision is a row of its own at the origin; here the copy of
 * the revision before it (same series and source, from the same origin) stops being in force.
 */
export async function applyObservationCopy(tx: Tx, copy: ObservationCopy): Promise<CopyOutcome> {
  const [current] = await tx
    .select({ originInstanceId: observations.originInstanceId, revision: observations.revision })
    .from(observations)
    .where(eq(observations.id, copy.id))
    .for('update');
  checkOwner('observation', copy.id, current, copy.originInstance);
  const { content } = copy;
  await checkReferences(tx, [content.sourceOrgId, ...copy.grants.map((g) => g.organizationId)], [content.countryIso3], [content.indicatorCode]);
  if (current && copy.revision <= current.revision) {
    await writeGrants(tx, copy, { observationId: copy.id }, content.sourceOrgId);
    return 'UNCHANGED';
  }
  const series = and(
    eq(observations.indicatorCode, content.indicatorCode),
    eq(observations.countryIso3, content.countryIso3),
    eq(observations.periodStart, content.periodStart),
    eq(observations.sourceOrgId, content.sourceOrgId),
    isNull(observations.supersededAt),
  );
  const inForce = await tx.select({ id: observations.id, originInstanceId: observations.originInstanceId }).from(observations).where(series).for('update');
  if (inForce.some((o) => o.originInstanceId !== copy.originInstance)) {
    throw new CopyRefused(`the value of ${content.indicatorCode} for ${content.countryIso3} at ${content.periodStart} from ${content.sourceOrgId} is held here by another instance or by us`);
  }
  if (inForce.length) await tx.update(observations).set({ supersededAt: sql`now()` }).where(series);
  const [report] = content.sourceReportId ? await tx.select({ id: reports.id }).from(reports).where(eq(reports.id, content.sourceReportId)) : [];
  const row = { ...content, sourceReportId: report ? content.sourceReportId : null, revision: copy.revision, tlp: copy.tlp, originInstanceId: copy.originInstance };
  if (current) await tx.update(observations).set({ ...row, supersededAt: null }).where(eq(observations.id, copy.id));
  else await tx.insert(observations).values({ id: copy.id, ...row });
  await writeGrants(tx, copy, { observationId: copy.id }, content.sourceOrgId);
  await recordChanges(tx, [{ kind: 'OBSERVATION', recordId: copy.id, revision: copy.revision, change: current ? 'REVISED' : 'CREATED', originOrgId: content.sourceOrgId, tlp: copy.tlp }]);
  return 'WRITTEN';
}

const recordTable = (kind: 'REPORT' | 'OBSERVATION') => (kind === 'REPORT' ? reports : observations);

/** A grant of a copy revoked at its origin: revoked here too (only a grant of a copy from that origin). */
export async function revokeCopiedGrant(tx: Tx, origin: string, kind: 'REPORT' | 'OBSERVATION', recordId: string, grantId: string, at: Date | null): Promise<CopyOutcome> {
  const table = recordTable(kind);
  const [record] = await tx.select({ originInstanceId: table.originInstanceId }).from(table).where(eq(table.id, recordId));
  if (!record || record.originInstanceId !== origin) return 'UNCHANGED';
  const subject = kind === 'REPORT' ? eq(grants.reportId, recordId) : eq(grants.observationId, recordId);
  const revoked = await tx
    .update(grants)
    .set({ revokedAt: at ?? sql`now()`, revokedBySub: `instance:${origin}` })
    .where(and(eq(grants.id, grantId), subject, isNull(grants.revokedAt)))
    .returning({ id: grants.id });
  return revoked.length ? 'WRITTEN' : 'UNCHANGED';
}

/**
 * A copy its origin withdrew (our organization may no longer have it): deleted, with its grants, links
 * and versions (cascade). A copy of a tearline keeps standing without its withdrawn source.
 */
export async function withdrawCopy(tx: Tx, origin: string, kind: 'REPORT' | 'OBSERVATION', recordId: string): Promise<CopyOutcome> {
  const table = recordTable(kind);
  const [record] = await tx.select({ originInstanceId: table.originInstanceId }).from(table).where(eq(table.id, recordId)).for('update');
  if (!record || record.originInstanceId !== origin) return 'UNCHANGED';
  if (kind === 'REPORT') {
    await tx.update(reports).set({ tearlineOf: null }).where(and(eq(reports.tearlineOf, recordId), eq(reports.originInstanceId, origin)));
    await tx.update(observations).set({ sourceReportId: null }).where(and(eq(observations.sourceReportId, recordId), eq(observations.originInstanceId, origin)));
  }
  await tx.delete(grants).where(kind === 'REPORT' ? eq(grants.reportId, recordId) : eq(grants.observationId, recordId));
  await tx.delete(table).where(eq(table.id, recordId));
  return 'WRITTEN';
}

/** The origin instance of a record, or null for one of ours (and for none at all). */
export async function originOf(db: Db | Tx, kind: 'REPORT' | 'OBSERVATION', id: string): Promise<string | null> {
  const table = recordTable(kind);
  const [row] = await db.select({ originInstanceId: table.originInstanceId }).from(table).where(eq(table.id, id));
  return row?.originInstanceId ?? null;
}
