import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { GraphQLError } from 'graphql';
import { AccessRecord, type AccessLogWriter } from '../auth/access-log.js';
import { authenticate } from '../auth/authenticate.js';
import { langFromAcceptLanguage } from '../auth/context.js';
import type { TokenVerifier } from '../auth/jwt.js';
import { reach, restrictedFields, ruleFor } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/database.js';
import { findIndicators } from '../db/queries/indicators.js';
import { findObservations, type ObservationFilter } from '../db/queries/observations.js';
import { findReports, type ReportFilter, type ReportOrder, type ReportRead } from '../db/queries/reports.js';
import type { ObservationRow } from '../db/schema/observations.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { Lang, ReportKind, ReportOrder as ReportOrders, Tlp, Topic } from '../schema/common/enums.js';
import { formatPeriod, parsePeriod } from '../schema/common/period.js';
import { DateTimeScalar } from '../schema/common/scalars.js';
import { unsafeTextIn } from '../schema/common/text-input.js';
import { MAX_SEARCH_LENGTH } from '../schema/report/report.args.js';
import { databaseUnavailable } from './format-error.js';
import type { Metrics } from './observability.js';
import { rateLimitKey, type RateLimits } from './rate-limit.js';

export interface ExportDeps {
  database: Database;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  logger: Logger;
  rateLimits: RateLimits;
  /** Rejections are counted with their code (the request log line says the same). */
  metrics?: Pick<Metrics, 'rejections'>;
}

/** Rows fetched per statement; the API's 100-per-page limit is for interactive pages, not for this loop. */
const BATCH = 500;

type Format = 'csv' | 'ndjson';
type Cell = string | number | string[] | null;

/** One column of an export: the policy's `Type.field` decides who gets it, like the GraphQL field. */
interface Column<R> {
  name: string;
  field: string;
  value: (row: R) => Cell;
}

interface Batch<R> {
  rows: R[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** What one export is: its columns, how to fetch a page after a cursor, and what a row reveals. */
interface ExportSpec<R> {
  columns: Column<R>[];
  fetch: (after: string | null) => Promise<Batch<R>>;
  saw: (access: AccessRecord, row: R) => void;
}

// ---- Query parameters: the arguments of the GraphQL fields, checked the same way ----

class ParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every bad parameter of a request, answered together as one 400. */
class BadParams extends Error {
  constructor(readonly problems: ParamError[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

type Parser<T> = (raw: string, name: string) => T;

const iso3: Parser<string> = (raw, name) => {
  if (!/^[A-Z]{3}$/.test(raw)) throw new ParamError(name, `${name} must be an ISO 3166-1 alpha-3 code such as TJK`);
  return raw;
};
const oneOf =
  <T extends string>(values: Record<string, T>): Parser<T> =>
  (raw, name) => {
    if (!(Object.values(values) as string[]).includes(raw)) throw new ParamError(name, `${name} must be one of ${Object.values(values).join(', ')}`);
    return raw as T;
  };
const dateTime: Parser<Date> = (raw, name) => {
  try {
    return DateTimeScalar.parseValue(raw) as Date;
  } catch {
    throw new ParamError(name, `${name} must be an ISO 8601 date-time with a time zone, such as 2026-01-31T00:00:00Z`);
  }
};
const period: Parser<string> = (raw, name) => {
  try {
    parsePeriod(raw);
    return raw;
  } catch (error) {
    throw new ParamError(name, `${name}: ${(error as Error).message}`);
  }
};
const text =
  (max: number, what: string): Parser<string> =>
  (raw, name) => {
    if (raw.length > max) throw new ParamError(name, `${name} must be ${what}`);
    // The text rule of the GraphQL arguments (src/schema/common/text-input.ts).
    const problem = unsafeTextIn(raw, 'single-line');
    if (problem) throw new ParamError(name, `${name} may not contain ${problem}`);
    return raw;
  };
const boolean: Parser<boolean> = (raw, name) => {
  if (raw !== 'true' && raw !== 'false') throw new ParamError(name, `${name} must be true or false`);
  return raw === 'true';
};
const indicatorCode: Parser<string> = (raw, name) => {
  if (!/^[A-Z0-9-]{2,16}$/.test(raw)) throw new ParamError(name, `${name} must be an indicator code such as OP-01`);
  return raw;
};

type Spec = Record<string, Parser<unknown>>;
type Parsed<S extends Spec> = { [K in keyof S]?: S[K] extends Parser<infer T> ? T : never };

const REPORT_PARAMS = {
  country: iso3,
  topic: oneOf(Topic),
  kind: oneOf(ReportKind),
  tlp: oneOf(Tlp),
  author: text(64, 'an organization id'),
  publishedFrom: dateTime,
  publishedTo: dateTime,
  search: text(MAX_SEARCH_LENGTH, `at most ${MAX_SEARCH_LENGTH} characters`),
  includeRetracted: boolean,
  orderBy: oneOf(ReportOrders),
  lang: oneOf(Lang),
} satisfies Spec;

const OBSERVATION_PARAMS = { indicator: indicatorCode, country: iso3, from: period, to: period, asOf: dateTime, source: text(64, 'an organization id') } satisfies Spec;

/** Every parameter checked; an unknown one is refused too, so a typo cannot silently widen an export. */
function parseParams<S extends Spec>(query: Request['query'], spec: S): Parsed<S> {
  const problems: ParamError[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    const parse = spec[name];
    if (!parse) problems.push(new ParamError(name, `unknown parameter "${name.slice(0, 40)}"; this export takes ${Object.keys(spec).join(', ')}`));
    else if (typeof raw !== 'string') problems.push(new ParamError(name, `${name} must be given once`));
    else {
      try {
        out[name] = parse(raw, name);
      } catch (error) {
        if (!(error instanceof ParamError)) throw error;
        problems.push(error);
      }
    }
  }
  if (problems.length > 0) throw new BadParams(problems);
  return out as Parsed<S>;
}

// ---- Columns: fields every viewer of the row may read (docs/ACCESS.md) ----

/**
 * The columns this viewer gets: a field joins the export only if the policy lets the viewer read it on
 * EVERY row it may see. Per-record fields (sourceDescription, sanctionsReferences, note, sharedWith) are
 * never listed here: a file has no per-cell refusal.
 */
function columnsFor<R>(viewer: Viewer, columns: Column<R>[]): Column<R>[] {
  return columns.filter((c) => {
    const [type = '', field = ''] = c.field.split('.');
    const rule = ruleFor(type, field);
    return rule !== undefined && reach(rule, viewer) === 'all';
  });
}

/** Columns whose field is not public: giving one is recorded in the access log, as GraphQL's rules do. */
const RESTRICTED = new Set(restrictedFields().map((f) => f.path));

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function reportColumns(lang: Lang): Column<ReportRead>[] {
  return [
    { name: 'id', field: 'Report.id', value: (r) => r.id },
    { name: 'title', field: 'Report.title', value: (r) => (lang === Lang.RU ? (r.titleRu ?? r.titleEn) : (r.titleEn ?? r.titleRu)) ?? '' },
    { name: 'language', field: 'Report.language', value: (r) => r.language.toUpperCase() },
    { name: 'kind', field: 'Report.kind', value: (r) => r.kind },
    { name: 'topics', field: 'Report.topics', value: (r) => r.topics },
    { name: 'countries', field: 'Report.countries', value: (r) => r.countryCodes },
    { name: 'author', field: 'Report.author', value: (r) => r.authorOrgId },
    { name: 'publishedAt', field: 'Report.publishedAt', value: (r) => iso(r.publishedAt) },
    { name: 'updatedAt', field: 'Report.updatedAt', value: (r) => iso(r.updatedAt) },
    { name: 'revision', field: 'Report.revision', value: (r) => r.revision },
    { name: 'tlp', field: 'Report.tlp', value: (r) => r.tlp },
    { name: 'retractedAt', field: 'Report.retractedAt', value: (r) => iso(r.retractedAt) },
    { name: 'sourceReliability', field: 'Report.sourceReliability', value: (r) => r.sourceReliability },
    { name: 'informationCredibility', field: 'Report.informationCredibility', value: (r) => r.informationCredibility },
  ];
}

function observationColumns(periodicity: Map<string, string>): Column<ObservationRow>[] {
  return [
    { name: 'id', field: 'Observation.id', value: (o) => o.id },
    { name: 'indicator', field: 'Observation.indicator', value: (o) => o.indicatorCode },
    { name: 'country', field: 'Observation.country', value: (o) => o.countryIso3 },
    { name: 'period', field: 'Observation.period', value: (o) => formatPeriod(o.periodStart, periodicity.get(o.indicatorCode) ?? 'MONTHLY') },
    { name: 'periodStart', field: 'Observation.periodStart', value: (o) => o.periodStart },
    { name: 'value', field: 'Observation.value', value: (o) => o.value },
    { name: 'tlp', field: 'Observation.tlp', value: (o) => o.tlp },
    { name: 'source', field: 'Observation.source', value: (o) => o.sourceOrgId },
    { name: 'revision', field: 'Observation.revision', value: (o) => o.revision },
    { name: 'recordedAt', field: 'Observation.recordedAt', value: (o) => iso(o.recordedAt) },
    { name: 'status', field: 'Observation.status', value: (o) => o.status },
    { name: 'sourceReliability', field: 'Observation.sourceReliability', value: (o) => o.sourceReliability },
    { name: 'informationCredibility', field: 'Observation.informationCredibility', value: (o) => o.informationCredibility },
  ];
}

async function reportsExport(deps: ExportDeps, viewer: Viewer, req: Request): Promise<ExportSpec<ReportRead>> {
  const { orderBy, lang, ...params } = parseParams(req.query, REPORT_PARAMS);
  const filter: ReportFilter = params;
  const order: ReportOrder = orderBy ?? 'PUBLISHED_DESC';
  const db = deps.database.db;
  return {
    columns: columnsFor(viewer, reportColumns(lang ?? langFromAcceptLanguage(req.headers['accept-language']))),
    async fetch(after) {
      // findReports carries THE row rule (src/db/visibility.ts), as for GraphQL `reports`.
      const page = await findReports(db, viewer, { filter, orderBy: order, first: BATCH, after });
      const rows = page.edges.map((e) => e.node);
      return { rows, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
    },
    saw: (access, r) => access.sawRecord('report', r.id, r.tlp, r.authorOrgId),
  };
}

async function observationsExport(deps: ExportDeps, viewer: Viewer, req: Request): Promise<ExportSpec<ObservationRow>> {
  const filter: ObservationFilter = parseParams(req.query, OBSERVATION_PARAMS);
  const db = deps.database.db;
  const periodicity = new Map((await findIndicators(db, {})).map((i) => [i.code, i.periodicity]));
  return {
    columns: columnsFor(viewer, observationColumns(periodicity)),
    async fetch(after) {
      // The same revision and row rules as the nested GraphQL lists (src/db/queries/observations.ts).
      const page = await findObservations(db, viewer, filter, BATCH, after);
      return { rows: page.edges.map((e) => e.node), endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
    },
    saw: (access, o) => access.sawRecord('observation', o.id, o.tlp, o.sourceOrgId),
  };
}

// ---- Writing: CSV safe for spreadsheets, NDJSON as is ----

/**
 * A spreadsheet runs a cell that begins with = + - @ (or a tab or CR before them) as a formula: a title
 * "=HYPERLINK(…)" would become a link that leaks data or runs a command (CSV injection, OWASP). Text cells
 * are prefixed with ' so they stay text; numbers are written as numbers, so -3.2 stays a number.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvLines<R>(columns: Column<R>[], rows: R[]): string {
  const records = rows.map((row) =>
    columns.map((c) => {
      const value = c.value(row);
      return Array.isArray(value) ? value.join(';') : value;
    }),
  );
  return stringify(records, { cast: { string: neutralizeFormula }, record_delimiter: '\r\n' });
}

function ndjsonLines<R>(columns: Column<R>[], rows: R[]): string {
  return rows.map((row) => `${JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, c.value(row)])))}\n`).join('');
}

/** Resolves when the socket takes more (backpressure) or the client has gone; false in the second case. */
function drained(res: Response): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (!res.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

function errorBody(message: string, code: string, extra: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { ...extra, code } }] };
}

/** Resolves once the chunk has left the response's buffer for the socket. */
function written(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve) => res.write(chunk, () => resolve()));
}

/**
 * Streams one export: the first page is fetched before any byte is sent, so a bad filter is still a 400;
 * then page after page (keyset, BATCH rows each), each written once the socket has taken the last one,
 * so memory stays flat whatever the size. One access-log entry records what was sent, also when the
 * client leaves midway.
 *
 * Every batch is drawn from the organization's row budget (EXPORT_ROWS_PER_MIN) before it is written.
 * The first batch must fit whole, else the export is refused (429, nothing sent). A stream that crosses
 * the budget later sends the rows that fit and is then cut without the final chunk: every HTTP client
 * reports an incomplete transfer, so a truncated file is never taken for a whole one, and the minute's
 * counter holds exactly the rows sent, so the next export is refused until it refills.
 */
async function streamExport<R>(res: Response, deps: ExportDeps, viewer: Viewer, key: string, name: string, format: Format, url: string, spec: ExportSpec<R>) {
  let batch = await spec.fetch(null);
  await deps.rateLimits.exportRows(key, batch.rows.length, 'all');
  const access = new AccessRecord();
  const stamp = new Date().toISOString().slice(0, 10);
  res.status(200);
  res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="ct-ewn-${name}-${stamp}.${format}"`);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  const restricted = spec.columns.filter((c) => RESTRICTED.has(c.field));
  const lines = (rows: R[]) => (format === 'csv' ? csvLines(spec.columns, rows) : ndjsonLines(spec.columns, rows));
  let sent = 0;
  try {
    // The byte-order mark makes spreadsheet programs read the UTF-8 (Cyrillic titles) correctly.
    if (format === 'csv') res.write(`\uFEFF${stringify([spec.columns.map((c) => c.name)], { record_delimiter: '\r\n' })}`);
    for (;;) {
      if (res.destroyed) break;
      if (batch.rows.length > 0) {
        res.write(lines(batch.rows));
        for (const row of batch.rows) spec.saw(access, row);
        sent += batch.rows.length;
      }
      if (!(await drained(res)) || !batch.hasNextPage || !batch.endCursor) break;
      batch = await spec.fetch(batch.endCursor);
      const grant = await deps.rateLimits.exportRows(key, batch.rows.length, 'partial');
      if (grant.granted < batch.rows.length) {
        const fits = batch.rows.slice(0, grant.granted);
        if (fits.length > 0) await written(res, lines(fits));
        for (const row of fits) spec.saw(access, row);
        sent += fits.length;
        deps.logger.warn({ export: name, organization: viewer.kind === 'member' ? viewer.organizationId : null, sent, retryAfterSeconds: grant.retryAfterSeconds }, 'export cut at the row budget');
        res.destroy();
        break;
      }
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    // Headers are gone: the only honest signal left is to cut the response, so the download is incomplete.
    const errorId = randomUUID();
    deps.logger.error({ errorId, err: error, export: name }, 'export failed midway');
    res.destroy();
  } finally {
    if (sent > 0) for (const c of restricted) access.fieldOnEveryRecord(c.field);
    if (!access.empty) deps.accessLog.append(access.toEntry(viewer, `export:${name}.${format}`, url));
  }
}

/** Every refused export is logged and counted with the code its answer carries (the catch below picks the answer). */
function rejected(deps: ExportDeps, res: Response, name: string, error: unknown): void {
  const code =
    error instanceof BadParams
      ? ErrorCode.BAD_USER_INPUT
      : error instanceof GraphQLError && typeof error.extensions.code === 'string'
        ? error.extensions.code
        : databaseUnavailable(error)
          ? ErrorCode.SERVICE_UNAVAILABLE
          : ErrorCode.INTERNAL_SERVER_ERROR;
  deps.metrics?.rejections.inc({ endpoint: 'export', operation: name, code });
  deps.logger.info({ requestId: res.locals.requestId, export: name, outcome: 'rejected', codes: [code] }, 'export request');
}

/** GET /export/reports.csv|.ndjson and /export/observations.csv|.ndjson: the GraphQL lists, whole, as files. */
export function exportRouter(deps: ExportDeps): Router {
  const router = Router();
  router.get('/:file', async (req, res) => {
    const match = /^(reports|observations)\.(csv|ndjson)$/.exec(req.params.file);
    if (!match) {
      res.status(404).json(errorBody('Unknown export: use /export/reports.csv, reports.ndjson, observations.csv or observations.ndjson', ErrorCode.NOT_FOUND));
      return;
    }
    const [, name, format] = match as unknown as [string, 'reports' | 'observations', Format];
    try {
      const viewer = await authenticate(deps.database.counted({ count: 0 }), deps.verifyToken, req.headers.authorization, deps.database.reference);
      const key = rateLimitKey(viewer, req.ip);
      await deps.rateLimits.exportRequest(key);
      if (name === 'reports') await streamExport(res, deps, viewer, key, name, format, req.originalUrl, await reportsExport(deps, viewer, req));
      else await streamExport(res, deps, viewer, key, name, format, req.originalUrl, await observationsExport(deps, viewer, req));
    } catch (error) {
      if (res.headersSent) return;
      rejected(deps, res, name, error);
      if (error instanceof BadParams) {
        res.status(400).json({ errors: error.problems.map((p) => ({ message: p.message, extensions: { code: ErrorCode.BAD_USER_INPUT, field: p.param } })) });
      } else if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) {
        res.status(401).setHeader('www-authenticate', 'Bearer').json(errorBody(error.message, ErrorCode.UNAUTHENTICATED));
      } else if (error instanceof GraphQLError && error.extensions.code === ErrorCode.FORBIDDEN) {
        // An instance token (issue 17): peers call the sync endpoints, never exports.
        res.status(403).json(errorBody(error.message, ErrorCode.FORBIDDEN));
      } else if (error instanceof GraphQLError && error.extensions.code === ErrorCode.RATE_LIMITED) {
        // The GraphQL shape: extensions.code and retryAfterSeconds, the same seconds in Retry-After.
        const seconds = Number(error.extensions.retryAfterSeconds);
        res.status(429).setHeader('retry-after', String(seconds)).json(errorBody(error.message, ErrorCode.RATE_LIMITED, { retryAfterSeconds: seconds }));
      } else if (error instanceof GraphQLError && error.extensions.code === ErrorCode.BAD_USER_INPUT) {
        // The query functions name GraphQL arguments (filter.country); here they are query parameters.
        const field = String(error.extensions.field ?? '').replace(/^filter\./, '');
        res.status(400).json(errorBody(error.message, ErrorCode.BAD_USER_INPUT, field ? { field } : {}));
      } else if (databaseUnavailable(error)) {
        // The same answer as GraphQL's while the database is away (format-error.ts): retry shortly.
        const errorId = randomUUID();
        deps.logger.warn({ errorId, err: error, export: name }, 'database unavailable');
        res.status(503).setHeader('retry-after', '1').json(errorBody(`The database is unavailable; retry shortly (error id ${errorId})`, ErrorCode.SERVICE_UNAVAILABLE, { errorId }));
      } else {
        const errorId = randomUUID();
        deps.logger.error({ errorId, err: error, export: name }, 'export failed');
        res.status(500).json(errorBody(`Internal server error (error id ${errorId})`, ErrorCode.INTERNAL_SERVER_ERROR, { errorId }));
      }
    }
  });
  return router;
}
