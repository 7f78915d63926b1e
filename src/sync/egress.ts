import { downgradesToTearlines, mayStandIn, peerConfigAllows } from '../auth/policy.js';
import type { OrganizationReader } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { readChanges } from '../db/queries/change-feed.js';
import { grantsAdmitting, type GrantAdmitting } from '../db/queries/grants.js';
import { observationsByIds } from '../db/queries/observations.js';
import { reportsByIds, tearlinesOf, type ReportRead } from '../db/queries/reports.js';
import type { ChangeFeedRow } from '../db/schema/change-feed.js';
import type { ObservationRow } from '../db/schema/observations.js';
import type { PeerRow } from '../db/schema/peers.js';
import { recordsHandedTo } from '../db/queries/audit.js';
import { PULL_OPERATION, peerActorSub } from './access.js';
import type { SyncEntry, SyncGrant, SyncRecordEntry, SyncRevocationEntry, SyncWithdrawalEntry } from './entries.js';
import { observationFields, reportFields, type RecordFields } from './record-fields.js';

/**
 * What leaves for a peer (issue 17, item 2), decided by the same rules as every read: a record goes only
 * if the peer's organization may see it under THE row rule (read through reportsByIds / observationsByIds
 * as an OrganizationReader, which TLP:RED never reaches), with only the fields the policy lets that
 * organization read, and then only if the peer's configuration allows it (policy.ts: peerConfigAllows). Grants that
 * admit the organization travel with the record; one revoked or expired becomes a revocation. A record the
 * peer was handed and may no longer have becomes a withdrawal.
 */

/** What a page handed out, for the access log: records, the grants named, the restricted fields by record. */
export interface HandedOut {
  reportIds: Set<string>;
  observationIds: Set<string>;
  grantIds: Set<string>;
  originOrgIds: Set<string>;
  restrictedByRecord: Map<string, string[]>;
}

export interface EgressPage {
  entries: SyncEntry[];
  /** Where the next page starts (opaque: the change feed's cursor). */
  next: string | null;
  /** Whether the feed gave a full page: there may be more to read now. */
  more: boolean;
  handedOut: HandedOut;
}

type Want = { kind: 'REPORT' | 'OBSERVATION'; id: string; feedRevision: number | null; change: string } | { kind: 'REVOCATION'; grant: GrantAdmitting };

const subjectOf = (g: GrantAdmitting) => (g.reportId ?? g.observationId)!;

/** The feed's changes as what may concern the peer: records to send (as they are now) and revocations. */
function wantsOf(changes: readonly ChangeFeedRow[], grantsById: Map<string, GrantAdmitting>): Want[] {
  const wants: Want[] = [];
  for (const c of changes) {
    if (c.kind !== 'GRANT') {
      wants.push({ kind: c.kind, id: c.recordId, feedRevision: c.revision, change: c.change });
      continue;
    }
    // A grant that never admitted the peer's organization is none of its business (nor is who else has one).
    const grant = grantsById.get(c.recordId);
    if (!grant) continue;
    if (c.change === 'SHARED') wants.push({ kind: grant.recordKind, id: subjectOf(grant), feedRevision: null, change: 'SHARED' });
    else if (!grant.inForce) wants.push({ kind: 'REVOCATION', grant });
  }
  return wants;
}

function toSyncGrant(g: GrantAdmitting): SyncGrant {
  return { id: g.id, organizationId: g.granteeOrgId!, grantedAt: g.grantedAt, expiresAt: g.expiresAt };
}

function toRevocation(g: GrantAdmitting): SyncRevocationEntry {
  return {
    type: 'revocation',
    kind: g.recordKind,
    recordId: subjectOf(g),
    grantId: g.id,
    organizationId: g.granteeOrgId!,
    reason: g.revokedAt ? 'REVOKED' : 'EXPIRED',
    at: g.revokedAt ?? g.expiresAt,
  };
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
};

/** What a page's changes need, read for the peer's organization in a few statements. */
interface PageRecords {
  reportById: Map<string, ReportRead>;
  observationById: Map<string, ObservationRow>;
  /** The grants admitting the organization, in force or not, by record id. */
  grantsOfRecord: Map<string, GrantAdmitting[]>;
  /** The tearlines that may stand in for a downgraded source, by source id. */
  tearlines: Map<string, ReportRead[]>;
  /** The reports a link (a tearline's source, an observation's report) may point to. */
  visibleLinks: Set<string>;
}

const ownOnly = <R extends { originInstanceId: string | null }>(rows: R[]) => rows.filter((r) => r.originInstanceId === null);

async function readRecords(db: Db, peer: PeerRow, reader: OrganizationReader, wants: readonly Want[]): Promise<PageRecords> {
  const wanted = (kind: 'REPORT' | 'OBSERVATION') => [...new Set(wants.flatMap((w) => (w.kind === kind ? [w.id] : [])))];
  const reportIds = wanted('REPORT');
  const observationIds = wanted('OBSERVATION');
  // THE row rule, for the peer's organization: a record it may not see is simply not found.
  // Only records we own go: a copy of another instance's record (origin_instance_id) is never sent onward,
  // though our feed lists it (for TAXII): its origin decides who gets it, and sends it itself.
  const [reports, observations, recordGrants] = await Promise.all([
    reportIds.length ? reportsByIds(db, reader, reportIds).then(ownOnly) : [],
    observationIds.length ? observationsByIds(db, reader, observationIds).then(ownOnly) : [],
    reportIds.length || observationIds.length ? grantsAdmitting(db, reader, { reportIds, observationIds }) : [],
  ]);
  const downgraded = reports.filter((r) => downgradesToTearlines(peer, r.tlp)).map((r) => r.id);
  const tearlines = groupBy(downgraded.length ? ownOnly(await tearlinesOf(db, reader, downgraded)) : [], (t) => t.tearlineOf!);
  // Links go only to reports the organization may see, as Report.tearlineOf and Observation.sourceReport resolve.
  const links = [...reports, ...[...tearlines.values()].flat()].map((r) => r.tearlineOf).concat(observations.map((o) => o.sourceReportId));
  const linkIds = [...new Set(links.filter((id): id is string => id !== null))];
  return {
    reportById: new Map(reports.map((r) => [r.id, r])),
    observationById: new Map(observations.map((o) => [o.id, o])),
    grantsOfRecord: groupBy(recordGrants, subjectOf),
    tearlines,
    visibleLinks: new Set(linkIds.length ? (await reportsByIds(db, reader, linkIds)).map((r) => r.id) : []),
  };
}

export async function egressPage(db: Db, instanceId: string, peer: PeerRow, reader: OrganizationReader, after: string | null, limit: number): Promise<EgressPage> {
  const page = await readChanges(db, after, limit);
  const grantIds = page.changes.filter((c) => c.kind === 'GRANT').map((c) => c.recordId);
  const grantsById = new Map((grantIds.length ? await grantsAdmitting(db, reader, { grantIds }) : []).map((g) => [g.id, g]));
  const wants = wantsOf(page.changes, grantsById);
  const { reportById, observationById, grantsOfRecord, tearlines, visibleLinks } = await readRecords(db, peer, reader, wants);

  // A withdrawal stands in its place until the access log says whether the peer was ever handed the record.
  const entries: (SyncEntry | { type: 'unsent'; entry: SyncWithdrawalEntry })[] = [];
  const handedOut: HandedOut = { reportIds: new Set(), observationIds: new Set(), grantIds: new Set(), originOrgIds: new Set(), restrictedByRecord: new Map() };
  const sent = new Set<string>();
  // Whether the change being answered sent its record itself (not only a tearline in its place).
  const current = { itself: false };
  const revoked = new Set<string>();

  const emitRecord = (kind: 'REPORT' | 'OBSERVATION', record: ReportRead | ObservationRow, cut: RecordFields, change: string, downgradedFrom?: string) => {
    if (!downgradedFrom) current.itself = true;
    const origin = kind === 'REPORT' ? (record as ReportRead).authorOrgId : (record as ObservationRow).sourceOrgId;
    const retracted = kind === 'REPORT' && (record as ReportRead).retractedAt !== null;
    const key = `${kind}:${record.id}:${record.revision}:${retracted}`;
    if (sent.has(key)) return;
    sent.add(key);
    const grants = (grantsOfRecord.get(record.id) ?? []).filter((g) => g.inForce).map(toSyncGrant);
    const entry: SyncRecordEntry = { type: 'record', kind, id: record.id, revision: record.revision, change, tlp: record.tlp, origin: { instance: instanceId, organization: origin }, fields: cut.fields, grants };
    if (downgradedFrom) entry.downgradedFrom = downgradedFrom;
    entries.push(entry);
    (kind === 'REPORT' ? handedOut.reportIds : handedOut.observationIds).add(record.id);
    handedOut.originOrgIds.add(origin);
    for (const g of grants) handedOut.grantIds.add(g.id);
    handedOut.restrictedByRecord.set(record.id, cut.restricted);
  };
  const emitRevocation = (grant: GrantAdmitting) => {
    if (revoked.has(grant.id)) return;
    revoked.add(grant.id);
    entries.push(toRevocation(grant));
    handedOut.grantIds.add(grant.id);
  };

  for (const want of wants) {
    if (want.kind === 'REVOCATION') {
      emitRevocation(want.grant);
      continue;
    }
    current.itself = false;
    let stale = false;
    if (want.kind === 'REPORT') {
      const report = reportById.get(want.id);
      // An entry older than the report's current revision is left to the later entry, which carries it.
      stale = report !== undefined && want.feedRevision !== null && want.feedRevision < report.revision;
      if (report && !stale && peerConfigAllows(peer, { kind: 'REPORT', tlp: report.tlp, countries: report.countryCodes })) {
        if (downgradesToTearlines(peer, report.tlp)) {
          for (const t of tearlines.get(report.id) ?? []) {
            if (mayStandIn(t.tlp) && peerConfigAllows(peer, { kind: 'REPORT', tlp: t.tlp, countries: t.countryCodes })) {
              emitRecord('REPORT', t, reportFields(reader, t, visibleLinks), want.change, report.id);
            }
          }
        } else {
          emitRecord('REPORT', report, reportFields(reader, report, visibleLinks), want.change);
        }
      }
    } else {
      const observation = observationById.get(want.id);
      if (observation && peerConfigAllows(peer, { kind: 'OBSERVATION', tlp: observation.tlp, countries: [observation.countryIso3] })) {
        emitRecord('OBSERVATION', observation, observationFields(reader, observation, visibleLinks), want.change);
      }
    }
    if (!current.itself && !stale) entries.push({ type: 'unsent', entry: { type: 'withdrawal', kind: want.kind, recordId: want.id, revision: want.feedRevision } });
    // Grants that admitted the organization and no longer do, whether or not the record still goes: an
    // expiry writes no change of its own, so a later change of the record is when the peer hears of it.
    for (const g of grantsOfRecord.get(want.id) ?? []) if (!g.inForce) emitRevocation(g);
  }
  return { entries: await withdrawals(db, peer, entries), next: page.next, more: page.changes.length === limit, handedOut };
}

/**
 * The withdrawals of a page: for each record not sent, one only if the access log says this peer was
 * handed it earlier (any other peer learns nothing of a record it never had), once per record.
 */
async function withdrawals(db: Db, peer: PeerRow, entries: readonly (SyncEntry | { type: 'unsent'; entry: SyncWithdrawalEntry })[]): Promise<SyncEntry[]> {
  const unsent = entries.flatMap((e) => (e.type === 'unsent' ? [e.entry] : []));
  if (unsent.length === 0) return entries as SyncEntry[];
  const ids = (kind: string) => [...new Set(unsent.filter((w) => w.kind === kind).map((w) => w.recordId))];
  const held = await recordsHandedTo(db, peerActorSub(peer.id), PULL_OPERATION, { reportIds: ids('REPORT'), observationIds: ids('OBSERVATION') });
  const withdrawn = new Set<string>();
  return entries.flatMap((e) => {
    if (e.type !== 'unsent') return [e];
    if (!held.has(e.entry.recordId) || withdrawn.has(e.entry.recordId)) return [];
    withdrawn.add(e.entry.recordId);
    return [e.entry];
  });
}
