import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { actorOf } from '../../auth/access-log.js';
import { markingRefusal, observationRefusal } from '../../auth/policy.js';
import type { MemberViewer } from '../../auth/viewer.js';
import { ApiError, ErrorCode, readOnlyCopy } from '../../errors.js';
import { futurePeriodRefusal, parsePeriod, type PeriodHorizon } from '../../schema/common/period.js';
import type { LevelScales } from '../../alerts/levels.js';
import { applicabilityOf, type Applicability } from '../applicability.js';
import { countryThresholdsOf, levelScalesOf, loadLevelScales, populationsOf } from '../scales.js';
import type { Db } from '../database.js';
import { auditEvents } from '../schema/audit.js';
import { countries } from '../schema/countries.js';
import { indicators, type IndicatorRow } from '../schema/indicators.js';
import { observations } from '../schema/observations.js';
import { reports } from '../schema/reports.js';
import { visibleTo } from '../visibility.js';
import { reportRowRule } from './reports.js';
import { raiseAlerts } from './alert-writes.js';
import { recordChanges } from './change-feed.js';
import type { Tlp } from '../schema/enums.js';
import { claimIdempotencyKey, completeIdempotencyKey, hashRequest } from './idempotency.js';

export interface ObservationInputRow {
  indicator: string;
  country: string;
  period: string;
  value: number;
  tlp: string;
  sourceReliability: string;
  informationCredibility: number;
  note?: string | null;
  /** PROVISIONAL, ESTIMATED or FINAL (the default). */
  status?: string | null;
  /** The id of the report the value rests on: one the writer may see. */
  sourceReport?: string | null;
}

export interface Problem {
  /** 0-based row of the batch (the import command adds its own line numbers). */
  row: number;
  field: string;
  message: string;
}

export interface ReferenceData {
  indicators: Map<string, IndicatorRow>;
  /** Where each indicator applies, by code (src/db/applicability.ts). */
  applicability: Map<string, Applicability>;
  /** Every country, its English name by ISO code (for messages). */
  countries: Map<string, string>;
  /** The thresholds and population figures the written values' levels and alerts are judged by. */
  levels: LevelScales;
}

/** Read afresh for each write (not the reference snapshot): a value is checked against the rules in force. */
export async function loadReferenceData(db: Db): Promise<ReferenceData> {
  const [indicatorRows, countryRows] = await Promise.all([
    db.select({ indicator: getTableColumns(indicators), applicability: applicabilityOf(), countryThresholds: countryThresholdsOf() }).from(indicators),
    db.select({ iso3: countries.iso3, nameEn: countries.nameEn, populations: populationsOf() }).from(countries),
  ]);
  return {
    indicators: new Map(indicatorRows.map((i) => [i.indicator.code, i.indicator])),
    applicability: new Map(indicatorRows.map((i) => [i.indicator.code, i.applicability])),
    countries: new Map(countryRows.map((c) => [c.iso3, c.nameEn])),
    levels: levelScalesOf(indicatorRows, countryRows),
  };
}

/** "a, b and c" */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Why a value for this country is refused: the countries the indicator applies to and the declaration
 * they come from ("it applies to TJK, TKM, UZB: states bordering Afghanistan"); null when it applies.
 */
function applicabilityRefusal(code: string, country: string, ref: ReferenceData): string | null {
  const applicability = ref.applicability.get(code);
  if (applicability?.countries.includes(country)) return null;
  if (!applicability?.countries.length) return `${code} does not apply to ${country} (it applies to no country yet: an operator declares where it applies)`;
  const declared = [...applicability.groups.map((g) => g.nameEn), ...applicability.named.map((iso3) => ref.countries.get(iso3) ?? iso3)];
  return `${code} does not apply to ${country} (it applies to ${applicability.countries.join(', ')}: ${inWords(declared)})`;
}

const TLPS = new Set(['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED']);
const RELIABILITY = new Set(['A', 'B', 'C', 'D', 'E', 'F']);
const PERIOD_FORMS = { MONTHLY: 'YYYY-MM', QUARTERLY: 'YYYY-Qn', ANNUAL: 'YYYY' } as const;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const STATUSES = new Set(['PROVISIONAL', 'ESTIMATED', 'FINAL']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks every row of a batch against the reference data and the policy, and returns every problem
 * (not just the first), so a file can be fixed in one pass. Shared by the mutation and the import command.
 */
export function validateObservationRows(rows: readonly ObservationInputRow[], ref: ReferenceData, viewer: MemberViewer, horizon: PeriodHorizon): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, row) => {
    const add = (field: string, message: string) => problems.push({ row, field, message });
    const indicator = ref.indicators.get(r.indicator);
    if (!indicator) add('indicator', `unknown indicator "${String(r.indicator).slice(0, 40)}"`);
    if (!ref.countries.has(r.country)) add('country', `unknown country code "${String(r.country).slice(0, 40)}"`);
    else {
      const refusal = observationRefusal(viewer, r.country);
      if (refusal) add('country', refusal);
      // A series exists only where its indicator applies (no Kazakhstan series of the Afghan border).
      const outside = indicator && applicabilityRefusal(indicator.code, r.country, ref);
      if (outside) add('country', outside);
      // A rate needs a population: without one the value could have no level and raise no alert.
      else if (indicator?.thresholdBasis === 'PER_100K' && ref.levels.populationsOf(r.country).length === 0) {
        add('country', `${indicator.code} is judged per 100,000 population and ${r.country} has no population figure yet (network-admin records one with setPopulation)`);
      }
    }
    let periodStart: string | undefined;
    try {
      const period = parsePeriod(String(r.period));
      periodStart = period.start;
      if (indicator && period.periodicity !== indicator.periodicity) {
        add('period', `"${r.period}" does not match the ${indicator.periodicity} periodicity of ${indicator.code} (use ${PERIOD_FORMS[indicator.periodicity]})`);
      }
      const tooFar = futurePeriodRefusal(period, horizon);
      if (tooFar) add('period', tooFar);
    } catch (error) {
      add('period', (error as Error).message);
    }
    if (typeof r.value !== 'number' || !Number.isFinite(r.value)) add('value', 'value must be a finite number');
    else if (indicator && ((indicator.minValue !== null && r.value < indicator.minValue) || (indicator.maxValue !== null && r.value > indicator.maxValue))) {
      add('value', `${r.value} is outside the valid range of ${indicator.code} (${indicator.minValue ?? '−∞'} to ${indicator.maxValue ?? '∞'} ${indicator.unit})`);
    }
    if (!TLPS.has(r.tlp)) add('tlp', `unknown marking "${String(r.tlp).slice(0, 20)}" (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)`);
    else {
      const refusal = markingRefusal(viewer, r.tlp);
      if (refusal) add('tlp', refusal);
    }
    if (!RELIABILITY.has(r.sourceReliability)) add('sourceReliability', 'source reliability must be one of A–F');
    if (!Number.isInteger(r.informationCredibility) || r.informationCredibility < 1 || r.informationCredibility > 6) {
      add('informationCredibility', 'information credibility must be an integer from 1 to 6');
    }
    if (r.note != null && String(r.note).length > 2000) add('note', 'note must be at most 2000 characters');
    if (r.status != null && !STATUSES.has(r.status)) add('status', `unknown status "${String(r.status).slice(0, 20)}" (PROVISIONAL, ESTIMATED, FINAL)`);
    if (r.sourceReport != null && !UUID.test(String(r.sourceReport))) add('sourceReport', 'sourceReport must be a report id (UUID)');
    if (indicator && periodStart) {
      const key = `${r.indicator}|${r.country}|${periodStart}`;
      const first = seen.get(key);
      if (first !== undefined) add('period', `the same indicator, country and period as row ${first} of this batch`);
      else seen.set(key, row);
    }
  });
  return problems;
}

export function problemsError(problems: Problem[], rowLabel: (row: number) => string = (row) => `input[${row}]`): ApiError {
  const lines = problems.map((p) => `${rowLabel(p.row)}.${p.field}: ${p.message}`);
  const shown = lines.slice(0, 10).join('; ');
  return new ApiError(ErrorCode.BAD_USER_INPUT, `${problems.length} invalid value(s), nothing was written: ${shown}${lines.length > 10 ? '; …' : ''}`, {
    field: `${rowLabel(problems[0]!.row)}.${problems[0]!.field}`,
    problems: problems.slice(0, 100).map((p) => ({ row: p.row, field: p.field, message: p.message })),
  });
}

export interface RecordResult {
  observationIds: string[];
  alertIds: string[];
  /** True when the idempotency key had been used: the earlier answer, nothing written. */
  replayed: boolean;
}


const CHUNK = 1000;

/**
 * Records a batch of indicator values in ONE transaction: validation first (one bad row writes nothing),
 * then each value as a new revision (the value it corrects is marked superseded, never erased), the
 * alerts it raises, the idempotency record and the audit entry. A NOTIFY per alert is part of the same
 * transaction, so subscribers hear of an alert only once it is committed.
 */
export async function recordObservations(
  db: Db,
  viewer: MemberViewer,
  rows: readonly ObservationInputRow[],
  options: { idempotencyKey?: string | null; action?: string; onProgress?: (written: number) => void; maxFuturePeriods?: number; backfillHorizonDays?: number } = {},
): Promise<RecordResult> {
  if (rows.length === 0) throw new ApiError(ErrorCode.BAD_USER_INPUT, 'input must contain at least one observation', { field: 'input' });
  const ref = await loadReferenceData(db);
  const problems = validateObservationRows(rows, ref, viewer, { now: new Date(), maxFuturePeriods: options.maxFuturePeriods ?? 0 });
  if (problems.length > 0) throw problemsError(problems);
  const requestHash = hashRequest('recordObservations', rows);

  // A first write of a value that another transaction wrote meanwhile (nothing was in force to lock)
  // breaks the one-value-in-force index; run again, it finds that value and revises it. Each round of a
  // race lets at least one writer through, so the attempts are bounded by how many write one value at once.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await writeObservations(db, viewer, rows, options, requestHash, ref);
    } catch (error) {
      if (!isInForceRace(error)) throw error;
      if (attempt >= IN_FORCE_RETRIES) {
        throw new ApiError(ErrorCode.CONFLICT, 'Other writes of the same values were recorded at the same moment; send the batch again', { field: 'input' });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

const IN_FORCE_RETRIES = 12;

/** A unique violation of observations_in_force_key, however deep the driver's wrappers put it. */
function isInForceRace(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505' && constraint === 'observations_in_force_key') return true;
  }
  return false;
}

/**
 * A value may rest on a report its writer may see (row rule): an unknown report and one hidden from the
 * writer are refused alike, so the refusal tells nothing about reports the writer may not see.
 */
async function checkSourceReports(tx: Tx, viewer: MemberViewer, rows: readonly ObservationInputRow[]): Promise<void> {
  const named = [...new Set(rows.flatMap((r) => (r.sourceReport ? [r.sourceReport.toLowerCase()] : [])))];
  if (named.length === 0) return;
  const found = new Set((await tx.select({ id: reports.id }).from(reports).where(and(inArray(reports.id, named), visibleTo(viewer, reportRowRule)))).map((r) => r.id));
  const problems = rows.flatMap((r, row) =>
    r.sourceReport && !found.has(r.sourceReport.toLowerCase()) ? [{ row, field: 'sourceReport', message: 'no report with this id that you may see' }] : [],
  );
  if (problems.length > 0) throw problemsError(problems);
}

async function writeObservations(
  db: Db,
  viewer: MemberViewer,
  rows: readonly ObservationInputRow[],
  options: { idempotencyKey?: string | null; action?: string; onProgress?: (written: number) => void; backfillHorizonDays?: number },
  requestHash: string,
  ref: Awaited<ReturnType<typeof loadReferenceData>>,
): Promise<RecordResult> {
  return db.transaction(async (tx) => {
    if (options.idempotencyKey) {
      const earlier = await claimIdempotencyKey(tx, viewer.organizationId, options.idempotencyKey, requestHash, 'batch');
      if (earlier) return { observationIds: earlier.observationIds, alertIds: earlier.alertIds, replayed: true };
    }

    await checkSourceReports(tx, viewer, rows);
    const points = rows.map((r) => ({ ...r, periodStart: parsePeriod(r.period).start }));
    const current = await tx
      .select({
        id: observations.id,
        indicatorCode: observations.indicatorCode,
        countryIso3: observations.countryIso3,
        periodStart: observations.periodStart,
        revision: observations.revision,
        originInstanceId: observations.originInstanceId,
      })
      .from(observations)
      .where(
        and(
          sql`${observations.supersededAt} is null`,
          // A value is one source's figure: a write revises the writer's own values, never another source's.
          eq(observations.sourceOrgId, viewer.organizationId),
          inArray(observations.indicatorCode, [...new Set(points.map((p) => p.indicator))]),
          inArray(observations.countryIso3, [...new Set(points.map((p) => p.country))]),
          inArray(observations.periodStart, [...new Set(points.map((p) => p.periodStart))]),
        ),
      )
      .for('update');
    // A value in force that is a copy of another instance's (issue 17) is revised at its origin only.
    const copy = current.find((c) => c.originInstanceId !== null);
    if (copy) throw readOnlyCopy('Observation', copy.originInstanceId!);
    const inForce = new Map(current.map((c) => [`${c.indicatorCode}|${c.countryIso3}|${c.periodStart}`, c]));
    const superseded = points.flatMap((p) => inForce.get(`${p.indicator}|${p.country}|${p.periodStart}`)?.id ?? []);
    for (let i = 0; i < superseded.length; i += CHUNK) {
      await tx.update(observations).set({ supersededAt: sql`now()` }).where(inArray(observations.id, superseded.slice(i, i + CHUNK)));
    }

    const written: { id: string; indicatorCode: string; countryIso3: string; sourceOrgId: string; periodStart: string; revision: number; tlp: string }[] = [];
    for (let i = 0; i < points.length; i += CHUNK) {
      const chunk = points.slice(i, i + CHUNK);
      const inserted = await tx
        .insert(observations)
        .values(
          chunk.map((p) => ({
            indicatorCode: p.indicator,
            countryIso3: p.country,
            periodStart: p.periodStart,
            value: p.value,
            sourceOrgId: viewer.organizationId,
            recordedBySub: viewer.sub,
            tlp: p.tlp as 'GREEN',
            sourceReliability: p.sourceReliability as 'A',
            informationCredibility: p.informationCredibility,
            note: p.note ?? null,
            status: (p.status ?? 'FINAL') as 'FINAL',
            sourceReportId: p.sourceReport?.toLowerCase() ?? null,
            revision: (inForce.get(`${p.indicator}|${p.country}|${p.periodStart}`)?.revision ?? 0) + 1,
          })),
        )
        .returning({ id: observations.id, indicatorCode: observations.indicatorCode, countryIso3: observations.countryIso3, sourceOrgId: observations.sourceOrgId, periodStart: observations.periodStart, revision: observations.revision, tlp: observations.tlp });
      written.push(...inserted);
      options.onProgress?.(written.length);
    }

    // The thresholds and figures as committed now, read after this transaction's inserts: a threshold or
    // population change (thresholds.ts) locks the table against these inserts, so either it committed
    // before them and is read here, or it waits and re-evaluates these values itself.
    const raised = await raiseAlerts(tx, written, await loadLevelScales(tx), { backfillHorizonDays: options.backfillHorizonDays });
    const result = { observationIds: written.map((w) => w.id), alertIds: raised.map((a) => a.id), replayed: false };
    if (options.idempotencyKey) {
      await completeIdempotencyKey(tx, viewer.organizationId, options.idempotencyKey, { observationIds: result.observationIds, alertIds: result.alertIds });
    }
    await recordChanges(
      tx,
      written.map((w) => ({ kind: 'OBSERVATION', recordId: w.id, revision: w.revision, change: w.revision === 1 ? 'CREATED' : 'REVISED', originOrgId: w.sourceOrgId, tlp: w.tlp as Tlp })),
    );
    await tx.insert(auditEvents).values({
      kind: 'WRITE',
      ...actorOf(viewer),
      action: options.action ?? 'recordObservations',
      observationIds: result.observationIds,
      originOrgIds: [viewer.organizationId],
    });
    return result;
  });
}

