import { and, eq, inArray, sql } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import { lowersMarking, markingRefusal, mayContribute, releaseReasonRefusal, releaseRefusal } from '../../auth/policy.js';
import type { MemberViewer } from '../../auth/viewer.js';
import { ApiError, badInput, ErrorCode, notFound, readOnlyCopy } from '../../errors.js';
import type { Db } from '../database.js';
import { auditEvents } from '../schema/audit.js';
import { countries } from '../schema/countries.js';
import { indicators } from '../schema/indicators.js';
import { reportCountries, reportIndicators, reports, reportVersions } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { claimIdempotencyKey, completeIdempotencyKey, hashRequest } from './idempotency.js';
import { recordChanges } from './change-feed.js';
import { reportColumns, reportRowRule, type ReportRecord } from './reports.js';

export interface ReportContent {
  title?: string | null;
  titleRu?: string | null;
  language?: 'en' | 'ru';
  summary?: string;
  body?: string;
  kind?: string;
  topics?: string[];
  countries?: string[];
  indicators?: string[];
  tlp?: string;
  sourceReliability?: string;
  informationCredibility?: number;
  sourceDescription?: string | null;
  sanctionsReferences?: string[];
  publishedAt?: Date | null;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const SANCTIONS_REFERENCE = /^(QD|TA)[ie]\.\d{3,4}$/;

function requireContributor(viewer: MemberViewer): void {
  if (!mayContribute(viewer)) throw new ApiError(ErrorCode.FORBIDDEN, 'Writing reports needs the contributor role');
}

/** References to countries and indicators must exist; sanctions entries must look like list numbers. */
async function checkReferences(tx: Tx, content: ReportContent): Promise<void> {
  if (content.countries) {
    if (content.countries.length === 0) throw badInput('A report covers at least one country', 'input.countries');
    const found = await tx.select({ iso3: countries.iso3 }).from(countries).where(inArray(countries.iso3, content.countries));
    const unknown = content.countries.filter((c) => !found.some((f) => f.iso3 === c));
    if (unknown.length) throw badInput(`Unknown country code(s): ${unknown.join(', ')}`, 'input.countries');
  }
  if (content.indicators?.length) {
    const found = await tx.select({ code: indicators.code }).from(indicators).where(inArray(indicators.code, content.indicators));
    const unknown = content.indicators.filter((c) => !found.some((f) => f.code === c));
    if (unknown.length) throw badInput(`Unknown indicator code(s): ${unknown.join(', ')}`, 'input.indicators');
  }
  const badRefs = (content.sanctionsReferences ?? []).filter((r) => !SANCTIONS_REFERENCE.test(r));
  if (badRefs.length) throw badInput(`Not a sanctions list entry (QDi.NNN, QDe.NNN, TAi.NNN, TAe.NNN): ${badRefs.join(', ')}`, 'input.sanctionsReferences');
}

async function writeLinks(tx: Tx, reportId: string, content: ReportContent): Promise<void> {
  if (content.countries) {
    await tx.delete(reportCountries).where(eq(reportCountries.reportId, reportId));
    await tx.insert(reportCountries).values([...new Set(content.countries)].map((countryIso3) => ({ reportId, countryIso3 })));
  }
  if (content.indicators) {
    await tx.delete(reportIndicators).where(eq(reportIndicators.reportId, reportId));
    const codes = [...new Set(content.indicators)];
    if (codes.length) await tx.insert(reportIndicators).values(codes.map((indicatorCode) => ({ reportId, indicatorCode })));
  }
}

/** Clock skew tolerated between a client and this server for a publication instant. */
const PUBLISHED_AT_SKEW_MS = 5 * 60_000;

/** A report dated in the future would top every newest-first list until then: refused, the field named. */
function checkPublishedAt(publishedAt: Date | null | undefined): void {
  if (publishedAt && publishedAt.getTime() > Date.now() + PUBLISHED_AT_SKEW_MS) {
    throw badInput(`publishedAt ${publishedAt.toISOString()} is in the future; give the instant it was published (default now)`, 'input.publishedAt');
  }
}

/** The longest reason a write keeps (retraction, release): longer ones are refused, never cut. */
const REASON_MAX_LENGTH = 2000;

/** A reason a reader or auditor will read: not blank, at most REASON_MAX_LENGTH characters. */
function checkReason(reason: string, field: string): void {
  if (reason.trim() === '') throw badInput(`${field} must not be blank`, field);
  if (reason.length > REASON_MAX_LENGTH) throw badInput(`${field} must be at most ${REASON_MAX_LENGTH.toLocaleString('en')} characters (got ${reason.length.toLocaleString('en')})`, field);
}

/**
 * A release decision (a lower marking): the originating organization's org-admin, with a reason for the
 * record; the order of the checks tells a contributor about the role before the reason.
 */
function checkRelease(viewer: MemberViewer, originOrgId: string, from: string, to: string, releaseReason: string | null | undefined): void {
  const refusal = releaseRefusal(viewer, originOrgId, from, to);
  if (refusal) throw new ApiError(ErrorCode.FORBIDDEN, refusal);
  const reasonRefusal = releaseReasonRefusal(lowersMarking(from, to), releaseReason);
  if (reasonRefusal) throw badInput(reasonRefusal, 'releaseReason');
  if (releaseReason) checkReason(releaseReason, 'releaseReason');
}

/** The report's entry in the outbox (change_feed), beside its audit entry. */
function reportChanged(tx: Tx, row: ReportRecord, change: 'CREATED' | 'REVISED' | 'RETRACTED') {
  return recordChanges(tx, [{ kind: 'REPORT', recordId: row.id, revision: row.revision, change, originOrgId: row.authorOrgId, tlp: row.tlp }]);
}

function audit(tx: Tx, viewer: MemberViewer, action: string, reportIds: string[], reason?: string | null) {
  return tx.insert(auditEvents).values({ kind: 'WRITE', ...actorOf(viewer), action, reportIds, originOrgIds: [viewer.organizationId], reason: reason ?? null });
}

type NewReportContent = Required<Pick<ReportContent, 'language' | 'summary' | 'body' | 'kind' | 'topics' | 'countries' | 'tlp' | 'sourceReliability' | 'informationCredibility'>> &
  ReportContent;

async function insertReport(tx: Tx, viewer: MemberViewer, content: NewReportContent, tearline?: { of: string; releaseReason?: string | null }): Promise<ReportRecord> {
  const tearlineOf = tearline?.of;
  const refusal = markingRefusal(viewer, content.tlp);
  if (refusal) throw badInput(refusal, tearlineOf ? 'marking' : 'input.tlp');
  if (!content.title && !content.titleRu) throw badInput('Give a title (title or titleRu)', tearlineOf ? 'title' : 'input.title');
  checkPublishedAt(content.publishedAt);
  await checkReferences(tx, content);
  const [row] = await tx
    .insert(reports)
    .values({
      titleEn: content.title ?? null,
      titleRu: content.titleRu ?? null,
      summary: content.summary,
      body: content.body,
      language: content.language,
      kind: content.kind as ReportRecord['kind'],
      topics: content.topics,
      authorOrgId: viewer.organizationId,
      authorSub: viewer.sub,
      publishedAt: content.publishedAt ?? sql`now()`,
      tlp: content.tlp as ReportRecord['tlp'],
      sourceReliability: content.sourceReliability as ReportRecord['sourceReliability'],
      informationCredibility: content.informationCredibility,
      sourceDescription: content.sourceDescription ?? null,
      sanctionsReferences: content.sanctionsReferences ?? [],
      tearlineOf: tearlineOf ?? null,
    })
    .returning(reportColumns);
  await writeLinks(tx, row!.id, content);
  await reportChanged(tx, row!, 'CREATED');
  await audit(tx, viewer, tearlineOf ? 'createTearline' : 'createReport', tearlineOf ? [row!.id, tearlineOf] : [row!.id], tearline?.releaseReason);
  return row!;
}

/**
 * A new report of the viewer's organization, with its links and audit entry in one transaction. With an
 * idempotency key, the same request again (a retry after a lost response) returns the report it made
 * and writes nothing; the key with other content is a CONFLICT. The author is part of the request, so a
 * colleague's key never hands out another person's (say, RED) report.
 */
export async function createReport(db: Db, viewer: MemberViewer, content: NewReportContent, options: { idempotencyKey?: string | null } = {}): Promise<ReportRecord> {
  requireContributor(viewer);
  const key = options.idempotencyKey;
  return db.transaction(async (tx) => {
    if (key) {
      const earlier = await claimIdempotencyKey(tx, viewer.organizationId, key, hashRequest('createReport', { author: viewer.sub, content }), 'report');
      if (earlier) {
        const [row] = await tx.select(reportColumns).from(reports).where(and(inArray(reports.id, earlier.reportIds), visibleTo(viewer, reportRowRule)));
        if (!row) throw new ApiError(ErrorCode.CONFLICT, 'This idempotency key was used for a report you may no longer see; use a new key', { field: 'idempotencyKey' });
        return row;
      }
    }
    const row = await insertReport(tx, viewer, content);
    if (key) await completeIdempotencyKey(tx, viewer.organizationId, key, { reportIds: [row.id] });
    return row;
  });
}

/** The viewer's own organization's report, locked for the write; hidden and missing answer NOT_FOUND alike. */
async function ownReport(tx: Tx, viewer: MemberViewer, id: string): Promise<ReportRecord> {
  const [row] = await tx.select(reportColumns).from(reports).where(and(eq(reports.id, id), visibleTo(viewer, reportRowRule))).for('update');
  if (!row) throw notFound('Report');
  if (row.originInstanceId) throw readOnlyCopy('Report', row.originInstanceId);
  if (row.authorOrgId !== viewer.organizationId) throw new ApiError(ErrorCode.FORBIDDEN, "Only the originating organization's contributors change a report");
  return row;
}

/**
 * A new revision of a report (optimistic concurrency: a stale expectedRevision is a CONFLICT); the
 * revision it replaces is kept in report_versions. A lower marking is a release decision (checkRelease),
 * its reason kept in the audit entry of the same transaction.
 */
export async function updateReport(
  db: Db,
  viewer: MemberViewer,
  id: string,
  expectedRevision: number,
  patch: ReportContent,
  releaseReason?: string | null,
): Promise<ReportRecord> {
  requireContributor(viewer);
  return db.transaction(async (tx) => {
    const current = await ownReport(tx, viewer, id);
    checkRelease(viewer, current.authorOrgId, current.tlp, patch.tlp ?? current.tlp, releaseReason);
    const refusal = patch.tlp ? markingRefusal(viewer, patch.tlp) : null;
    if (refusal) throw badInput(refusal, 'input.tlp');
    if (current.retractedAt) throw new ApiError(ErrorCode.CONFLICT, 'The report was retracted; it can no longer change');
    if (current.revision !== expectedRevision) {
      throw new ApiError(ErrorCode.CONFLICT, `The report is at revision ${current.revision}, not ${expectedRevision}: read it again and reapply your change`, {
        currentRevision: current.revision,
      });
    }
    await checkReferences(tx, patch);
    await tx.insert(reportVersions).values({ reportId: id, revision: current.revision, snapshot: current, replacedBySub: viewer.sub });
    const title = patch.title === undefined ? current.titleEn : patch.title;
    const titleRu = patch.titleRu === undefined ? current.titleRu : patch.titleRu;
    if (!title && !titleRu) throw badInput('A report keeps a title (title or titleRu)', 'input.title');
    const [row] = await tx
      .update(reports)
      .set({
        titleEn: title,
        titleRu,
        ...(patch.language ? { language: patch.language } : {}),
        ...(patch.summary !== undefined ? { summary: patch.summary } : {}),
        ...(patch.body !== undefined ? { body: patch.body } : {}),
        ...(patch.kind ? { kind: patch.kind as ReportRecord['kind'] } : {}),
        ...(patch.topics ? { topics: patch.topics } : {}),
        ...(patch.tlp ? { tlp: patch.tlp as ReportRecord['tlp'] } : {}),
        ...(patch.sourceReliability ? { sourceReliability: patch.sourceReliability as ReportRecord['sourceReliability'] } : {}),
        ...(patch.informationCredibility ? { informationCredibility: patch.informationCredibility } : {}),
        ...(patch.sourceDescription !== undefined ? { sourceDescription: patch.sourceDescription } : {}),
        ...(patch.sanctionsReferences ? { sanctionsReferences: patch.sanctionsReferences } : {}),
        revision: current.revision + 1,
        updatedAt: sql`now()`,
        // The version is ours from now on (src/stix/report.ts reportVersion).
        stixModified: null,
      })
      .where(eq(reports.id, id))
      .returning(reportColumns);
    await writeLinks(tx, id, patch);
    await reportChanged(tx, row!, 'REVISED');
    await audit(tx, viewer, 'updateReport', [id], releaseReason);
    return row!;
  });
}

/** Soft delete: the report stays (audit trail) and readers see it as retracted. */
export async function retractReport(db: Db, viewer: MemberViewer, id: string, reason: string): Promise<ReportRecord> {
  requireContributor(viewer);
  checkReason(reason, 'reason');
  return db.transaction(async (tx) => {
    const current = await ownReport(tx, viewer, id);
    if (current.retractedAt) throw new ApiError(ErrorCode.CONFLICT, 'The report is already retracted');
    const [row] = await tx
      .update(reports)
      .set({ retractedAt: sql`now()`, retractionReason: reason, updatedAt: sql`now()`, stixModified: null })
      .where(eq(reports.id, id))
      .returning(reportColumns);
    await reportChanged(tx, row!, 'RETRACTED');
    await audit(tx, viewer, 'retractReport', [id], reason);
    return row!;
  });
}

/**
 * A tearline: a derived version of a report under a lower marking, for wider release. It copies what
 * describes the report (kind, topics, countries, indicators, grading), never the source description or
 * sanctions references, and links back to its source. Always a release decision (checkRelease).
 */
export async function createTearline(
  db: Db,
  viewer: MemberViewer,
  sourceId: string,
  content: { tlp: string; title: string; summary: string; body?: string | null; language?: 'en' | 'ru' | null },
  releaseReason: string | null | undefined,
): Promise<ReportRecord> {
  requireContributor(viewer);
  return db.transaction(async (tx) => {
    const source = await ownReport(tx, viewer, sourceId);
    if (source.retractedAt) throw new ApiError(ErrorCode.CONFLICT, 'A retracted report cannot be released further');
    if (!lowersMarking(source.tlp, content.tlp)) {
      throw badInput(`A tearline's marking must be lower than its source's (${source.tlp})`, 'marking');
    }
    checkRelease(viewer, source.authorOrgId, source.tlp, content.tlp, releaseReason);
    const language = content.language ?? source.language;
    const linkedCountries = await tx.select({ code: reportCountries.countryIso3 }).from(reportCountries).where(eq(reportCountries.reportId, sourceId));
    const linkedIndicators = await tx.select({ code: reportIndicators.indicatorCode }).from(reportIndicators).where(eq(reportIndicators.reportId, sourceId));
    return insertReport(
      tx,
      viewer,
      {
        // The released text may be in another language than its source's (an English tearline of a Russian
        // report); its title is the title in that language.
        title: language === 'ru' ? null : content.title,
        titleRu: language === 'ru' ? content.title : null,
        language,
        summary: content.summary,
        body: content.body ?? content.summary,
        kind: source.kind,
        topics: source.topics,
        countries: linkedCountries.map((l) => l.code),
        indicators: linkedIndicators.map((l) => l.code),
        tlp: content.tlp,
        sourceReliability: source.sourceReliability,
        informationCredibility: source.informationCredibility,
      },
      { of: sourceId, releaseReason },
    );
  });
}
