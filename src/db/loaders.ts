import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.js';
import type { Page } from '../schema/common/connection.js';
import type { Db } from './database.js';
import { indicatorLinksOfReports } from './queries/indicators.js';
import { findObservationPagesByScope, latestObservations, observationsByIds, valuesOfPeriods, type ObservationPageQuery } from './queries/observations.js';
import { alertsByIds, type AlertRead } from './queries/alerts.js';
import { laterWithheld, withheldByScope, type WithheldValue } from './queries/withheld.js';
import { notesOfThreads, triagesOfAlerts, type ThreadQuery } from './queries/alert-triage.js';
import type { AlertTriageNoteRow, AlertTriageRow } from './schema/alert-triage.js';
import { reportHistories, type ReportHistory } from './queries/report-revisions.js';
import { countryLinksOfReports, findReportPagesByScope, reportsByIds, tearlinesOf, type ReportQuery, type ReportRead } from './queries/reports.js';
import { grantsOfObservations, grantsOfReports } from './queries/grants.js';
import type { CountryRow } from './schema/countries.js';
import type { GrantRow } from './schema/grants.js';
import type { IndicatorRow } from './schema/indicators.js';
import type { ObservationRow } from './schema/observations.js';
import type { ReferenceCache } from './reference.js';

function byKey<R>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string): (R | null)[] {
  const index = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((k) => index.get(k) ?? null);
}

function listsByKey<R, T>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string, value: (row: R) => T): T[][] {
  const index = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) index.get(keyOf(row))?.push(value(row));
  return keys.map((k) => index.get(k) ?? []);
}

interface ScopedKey<A> {
  scopeKey: string;
  args: A;
}

/** The key of one period's values (every source's) in the periodValues loader. */
export const periodValueKey = (o: { indicatorCode: string; countryIso3: string; periodStart: string }) => `${o.indicatorCode}|${o.countryIso3}|${o.periodStart}`;

/**
 * A loader for nested lists with arguments (a country's reports, first: 5): keys with the same arguments
 * are fetched together in one statement, whatever the number of parents.
 */
function scopedLoader<A, T>(fetch: (keys: string[], args: A) => Promise<Map<string, T>>) {
  const argsKey = (args: A) => JSON.stringify(args);
  return new DataLoader<ScopedKey<A>, T, string>(
    async (requests) => {
      const byArgs = new Map<string, { args: A; keys: string[] }>();
      for (const r of requests) {
        const group = byArgs.get(argsKey(r.args)) ?? { args: r.args, keys: [] };
        group.keys.push(r.scopeKey);
        byArgs.set(argsKey(r.args), group);
      }
      const results = new Map<string, Map<string, T>>();
      await Promise.all(
        [...byArgs].map(async ([k, group]) => results.set(k, await fetch([...new Set(group.keys)], group.args))),
      );
      return requests.map((r) => {
        const value = results.get(argsKey(r.args))?.get(r.scopeKey);
        return value === undefined ? new Error(`no result for ${r.scopeKey}`) : value;
      });
    },
    { cacheKeyFn: (r) => `${r.scopeKey}|${argsKey(r.args)}` },
  );
}

/** A promise made once: every caller in the request shares one statement (until `reset`). */
function once<T>(load: () => Promise<T>): (() => Promise<T>) & { reset: () => void } {
  let pending: Promise<T> | undefined;
  return Object.assign(() => (pending ??= load()), { reset: () => (pending = undefined) });
}

/** Looks keys up in an index of the reference data. */
function lookup<T>(index: () => Promise<ReadonlyMap<string, T>>) {
  return new DataLoader<string, T | null>(async (keys) => {
    const map = await index();
    return keys.map((k) => map.get(k) ?? null);
  });
}

/**
 * Per-request loaders: batching and caching live exactly as long as one request, for one viewer. The
 * reference data (countries, indicators, organizations) is the process's shared snapshot, taken once per
 * request so that every lookup of the response sees the same one.
 */
export function createLoaders(db: Db, viewer: Viewer, referenceCache: ReferenceCache) {
  const reference = once(() => referenceCache.get(db));
  const countries = async () => (await reference()).countryByIso3;
  const indicators = async () => (await reference()).indicatorByCode;
  return {
    reference,
    /**
     * After a write of reference data in this request (thresholds, population figures): the rest of the
     * request, the mutation's answer included, reads what was committed, as the next requests will.
     */
    referenceChanged: () => {
      referenceCache.invalidate();
      reference.reset();
    },
    /** Every indicator with the thresholds of each series, for mapping observations (their period notation, rate and level). */
    levels: async () => (await reference()).levels,
    country: lookup(countries),
    organization: lookup(async () => (await reference()).organizationById),
    organizationParents: new DataLoader<string, readonly string[]>(async (ids) => {
      const { parentsOf } = await reference();
      return ids.map((id) => parentsOf.get(id) ?? []);
    }),
    organizationClients: new DataLoader<string, readonly string[]>(async (ids) => {
      const { clientsOf } = await reference();
      return ids.map((id) => clientsOf.get(id) ?? []);
    }),
    indicator: lookup(indicators),
    /** Where each indicator applies (its declaration and the countries it resolves to), by code. */
    indicatorApplicability: lookup(async () => (await reference()).applicabilityByCode),
    report: new DataLoader<string, ReportRead | null>(async (ids) => byKey(ids, await reportsByIds(db, viewer, ids), (r) => r.id)),
    reportTearlines: new DataLoader<string, ReportRead[]>(async (ids) =>
      listsByKey(ids, await tearlinesOf(db, viewer, ids), (r) => r.tearlineOf!, (r) => r),
    ),
    reportHistory: new DataLoader<string, ReportHistory | null>(async (ids) => {
      const histories = await reportHistories(db, viewer, ids);
      return ids.map((id) => histories.get(id) ?? null);
    }),
    alert: new DataLoader<string, AlertRead | null>(async (ids) => byKey(ids, await alertsByIds(db, viewer, ids), (r) => r.id)),
    /** Every organization's triage of an alert (for coordinators: the field policy decides who asks). */
    alertTriages: new DataLoader<string, AlertTriageRow[]>(async (ids) => listsByKey(ids, await triagesOfAlerts(db, ids), (r) => r.alertId, (r) => r)),
    /** The latest notes of a thread, keyed `alertId|organizationId` (threadKey), newest first. */
    triageNotes: scopedLoader<ThreadQuery, AlertTriageNoteRow[]>((keys, args) => notesOfThreads(db, keys, args)),
    observation: new DataLoader<string, ObservationRow | null>(async (ids) => byKey(ids, await observationsByIds(db, viewer, ids), (r) => r.id)),
    // For a report just written: the read paths carry each report's country and indicator codes.
    reportCountries: new DataLoader<string, CountryRow[]>(async (ids) => {
      const [links, byIso3] = await Promise.all([countryLinksOfReports(db, ids), countries()]);
      // A link to a country newer than the snapshot waits for the next one rather than failing.
      const known = links.filter((r) => byIso3.has(r.countryIso3));
      return listsByKey(ids, known, (r) => r.reportId, (r) => byIso3.get(r.countryIso3)!);
    }),
    reportIndicators: new DataLoader<string, IndicatorRow[]>(async (ids) => {
      const [links, byCode] = await Promise.all([indicatorLinksOfReports(db, ids), indicators()]);
      const known = links.filter((r) => byCode.has(r.indicatorCode));
      return listsByKey(ids, known, (r) => r.reportId, (r) => byCode.get(r.indicatorCode)!);
    }),
    reportGrants: new DataLoader<string, GrantRow[]>(async (ids) => listsByKey(ids, await grantsOfReports(db, ids), (r) => r.reportId!, (r) => r)),
    observationGrants: new DataLoader<string, GrantRow[]>(async (ids) =>
      listsByKey(ids, await grantsOfObservations(db, ids), (r) => r.observationId!, (r) => r),
    ),
    countryReports: scopedLoader<ReportQuery, Page<ReportRead>>((keys, args) =>
      findReportPagesByScope(db, viewer, { by: 'country', keys }, args),
    ),
    authorReports: scopedLoader<ReportQuery, Page<ReportRead>>((keys, args) =>
      findReportPagesByScope(db, viewer, { by: 'author', keys }, args),
    ),
    countryObservations: scopedLoader<ObservationPageQuery, Page<ObservationRow>>((keys, args) =>
      findObservationPagesByScope(db, viewer, { by: 'country', keys }, args),
    ),
    indicatorObservations: scopedLoader<ObservationPageQuery, Page<ObservationRow>>((keys, args) =>
      findObservationPagesByScope(db, viewer, { by: 'indicator', keys }, args),
    ),
    /** Every source's value of a period, keyed `indicator|country|periodStart` (see periodValueKey). */
    periodValues: scopedLoader<{ asOf?: Date | null }, ObservationRow[]>(async (keys, args) => {
      const parsed = keys.map((k) => {
        const [indicator, country, periodStart] = k.split('|') as [string, string, string];
        return { indicator, country, periodStart };
      });
      const rows = await valuesOfPeriods(db, viewer, parsed, args.asOf);
      return new Map(keys.map((k) => [k, rows.filter((r) => periodValueKey(r) === k)]));
    }),
    countryWithheld: scopedLoader<WithheldQuery, WithheldValue[]>((keys, args) => withheldByScope(db, viewer, { by: 'country', keys }, args)),
    indicatorWithheld: scopedLoader<WithheldQuery, WithheldValue[]>((keys, args) => withheldByScope(db, viewer, { by: 'indicator', keys }, args)),
    /** Whether a later value than the one seen exists, hidden from the viewer; keyed like periodValueKey. */
    laterWithheld: scopedLoader<{ asOf?: Date | null; source?: string | null }, boolean>(async (keys, args) => {
      const seen = keys.map((k) => {
        const [indicatorCode, countryIso3, periodStart] = k.split('|') as [string, string, string];
        return { indicatorCode, countryIso3, periodStart };
      });
      const later = await laterWithheld(db, viewer, seen, args);
      return new Map(seen.map((s, i) => [keys[i]!, later.has(`${s.indicatorCode}|${s.countryIso3}`)]));
    }),
    countryLatest: scopedLoader<{ asOf?: Date | null; source?: string | null }, ObservationRow[]>(async (keys, args) => {
      const rows = await latestObservations(db, viewer, { by: 'country', keys }, args);
      return new Map(keys.map((k) => [k, rows.filter((r) => r.countryIso3 === k)]));
    }),
    indicatorLatest: scopedLoader<{ asOf?: Date | null; countries?: string[] | null; source?: string | null }, ObservationRow[]>(async (keys, args) => {
      const rows = await latestObservations(db, viewer, { by: 'indicator', keys }, args);
      return new Map(keys.map((k) => [k, rows.filter((r) => r.indicatorCode === k)]));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** A list's range and filters, as the withheld periods of that list are read. */
export type WithheldQuery = { from?: string | null; to?: string | null; asOf?: Date | null; source?: string | null; indicator?: string | null; country?: string | null };
