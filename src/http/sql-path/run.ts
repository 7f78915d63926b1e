import { GraphQLError, Kind, type ExecutionResult } from 'graphql';
import type { Context } from '../../auth/context.js';
import { findIndicatorsWithObservations } from '../../db/queries/observation-json.js';
import { latestObservations } from '../../db/queries/observations.js';
import { findOrganizationsWithReportsAsJson, findReportAsJson, findReportsAsJson, type JsonLang, type PlaceField, type ReportField, type ReportJsonRow } from '../../db/queries/report-json.js';
import { toCountry } from '../../schema/country/country.mapper.js';
import type { Country } from '../../schema/country/country.type.js';
import { Lang } from '../../schema/common/enums.js';
import { pick, type Localized } from '../../schema/common/localized.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../schema/common/page.args.js';
import { formatPeriod } from '../../schema/common/period.js';
import { toIndicator } from '../../schema/indicator/indicator.mapper.js';
import type { Indicator } from '../../schema/indicator/indicator.type.js';
import type { LevelScales } from '../../alerts/levels.js';
import type { IndicatorRow } from '../../db/schema/indicators.js';
import type { ConnectionPlan, Input, PlannedField, RootPlan, SqlJsonPlan } from './plan.js';

/**
 * Answering a planned operation (plan.ts) for one request: the arguments' values are checked first (a
 * request that leaves the path sends no statement and records nothing here), then each root field is
 * answered from its statement, the nodes put together in the selection's order, and every non-CLEAR
 * record handed out is recorded in the request's access record.
 */

/** An argument's value for this request (variables already coerced by graphql-js), or undefined. */
function valueOf(input: Input, variables: Record<string, unknown>): unknown {
  if (!input) return undefined;
  if ('variable' in input) return variables[input.variable];
  const node = input.literal;
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind === Kind.ENUM) return node.value;
  if (node.kind === Kind.NULL) return null;
  if (node.kind === Kind.STRING) return node.value;
  if (node.kind === Kind.LIST) return node.values.map((v) => valueOf({ literal: v }, variables));
  return Symbol.for('unplanned literal');
}

function langOf(input: Input | undefined, variables: Record<string, unknown>, ctx: Context): JsonLang | null {
  const value = valueOf(input ?? null, variables) ?? ctx.lang;
  return value === 'RU' ? 'ru' : value === 'EN' ? 'en' : null;
}

/** The planned fields with this request's languages, or null when a language is not one we know. */
function fieldsFor(planned: PlannedField[], variables: Record<string, unknown>, ctx: Context): (ReportField | PlaceField)[] | null {
  const out: (ReportField | PlaceField)[] = [];
  for (const p of planned) {
    if (p.reports || p.indicators) continue;
    if (p.lang !== undefined) {
      const lang = langOf(p.lang, variables, ctx);
      if (!lang) return null;
      out.push({ key: p.key, read: p.read, lang } as ReportField);
    } else if (p.fields) {
      const fields = fieldsFor(p.fields, variables, ctx);
      if (!fields) return null;
      out.push({ key: p.key, read: p.read, fields } as ReportField);
    } else out.push({ key: p.key, read: p.read } as ReportField);
  }
  return out;
}

const ORDERS = new Set(['PUBLISHED_DESC', 'PUBLISHED_ASC', 'UPDATED_DESC']);
type Order = 'PUBLISHED_DESC' | 'PUBLISHED_ASC' | 'UPDATED_DESC';

/** A page size as the argument would take it (1 to MAX_PAGE_SIZE), else null. */
function pageSize(input: Input, variables: Record<string, unknown>): number | null {
  const first = valueOf(input, variables) ?? DEFAULT_PAGE_SIZE;
  return typeof first === 'number' && Number.isInteger(first) && first >= 1 && first <= MAX_PAGE_SIZE ? first : null;
}

/** A list's arguments and node fields for this request, or null when its values leave the path. */
function listFor(list: ConnectionPlan, variables: Record<string, unknown>, ctx: Context): { first: number; orderBy: Order; fields: ReportField[] } | null {
  const first = pageSize(list.first, variables);
  const orderBy = valueOf(list.orderBy, variables) ?? 'PUBLISHED_DESC';
  if (first === null || typeof orderBy !== 'string' || !ORDERS.has(orderBy)) return null;
  const built = fieldsFor(list.node, variables, ctx) as ReportField[] | null;
  if (!built) return null;
  // At most one list per combination of languages (two per title or name selected), so the map stays small.
  const signature = JSON.stringify(built);
  let fields = list.resolved.get(signature);
  if (!fields) list.resolved.set(signature, (fields = built));
  return { first, orderBy: orderBy as Order, fields };
}

/** A connection as the response gives it: its keys in the selection's order. */
function connectionOf(plan: { connection: { key: string; typename: boolean }[]; edge: { key: string; typename: boolean }[] }, typenames: [string, string], nodes: unknown[]) {
  const edges = nodes.map((node) => Object.fromEntries(plan.edge.map((e) => [e.key, e.typename ? typenames[1] : node])));
  return Object.fromEntries(plan.connection.map((c) => [c.key, c.typename ? typenames[0] : edges]));
}

const REPORT_TYPENAMES: [string, string] = ['ReportConnection', 'ReportEdge'];

/** How a root will be answered for this request, or null when its values leave the path. */
type Prepared = (() => Promise<unknown>) | null;

const ISO3 = /^[A-Z]{3}$/;

/** An observation's fields as the observation mapper computes them (period, rate, level), with the same functions. */
function observationValues(
  v: { id: string; value: number; tlp: string; periodStart: string },
  indicator: string,
  country: string,
  periodicity: IndicatorRow['periodicity'],
  levels: LevelScales,
): Record<string, unknown> {
  return {
    id: v.id,
    value: v.value,
    tlp: v.tlp,
    period: formatPeriod(v.periodStart, periodicity),
    rate: levels.rateOf(indicator, country, v.periodStart, v.value),
    level: levels.levelOf(indicator, country, v.periodStart, v.value),
  };
}

/**
 * A country or an indicator from its mapped object, its fields in the selection's order; a localized field
 * (a name, an indicator's unit and methodology) by pick from its texts, as the resolvers do.
 */
function placeNode(fields: PlannedField[], values: Record<string, unknown>, texts: Record<string, Localized>, variables: Record<string, unknown>, ctx: Context, typename: string): Record<string, unknown> | null {
  const node: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.read === 'typename') node[f.key] = typename;
    else if (f.lang !== undefined) {
      const lang = langOf(f.lang, variables, ctx);
      const text = texts[f.read];
      if (!lang || !text) return null;
      node[f.key] = pick(text, lang === 'ru' ? Lang.RU : Lang.EN);
    } else node[f.key] = values[f.read];
  }
  return node;
}

const countryTexts = (country: Country) => ({ name: country.names });
const indicatorTexts = (indicator: Indicator) => ({ name: indicator.names, unit: indicator.units, methodology: indicator.methodologies });

/**
 * Checks a root's values for this request before anything runs (so a request that leaves the path sends
 * no statement and records nothing here), and returns how to answer it.
 */
async function prepareRoot(plan: RootPlan, variables: Record<string, unknown>, ctx: Context): Promise<Prepared> {
  const seenReport = (row: ReportJsonRow) => ctx.access.sawRecord('report', row.id, row.tlp, row.authorOrgId);
  if (plan.root === 'country') {
    const iso3 = valueOf(plan.iso3, variables);
    if (typeof iso3 !== 'string' || !ISO3.test(iso3)) return null;
    const row = await ctx.loaders.country.load(iso3);
    if (!row) return async () => null;
    const country = toCountry(row);
    const node = placeNode(plan.fields, country as unknown as Record<string, unknown>, countryTexts(country), variables, ctx, 'Country');
    return node && (async () => node);
  }
  if (plan.root === 'report') return prepareReport(plan, variables, ctx);
  if (plan.root === 'indicators') {
    const values = plan.values;
    const country = valueOf(values.country, variables);
    const first = pageSize(values.first, variables);
    // An unknown country is the compiled path's to refuse (BAD_USER_INPUT naming it).
    if (typeof country !== 'string' || !ISO3.test(country) || first === null || !(await ctx.loaders.country.load(country))) return null;
    const langs = langsOf(plan.fields, variables, ctx);
    if (!langs) return null;
    return async () => {
      const [rows, levels] = await Promise.all([findIndicatorsWithObservations(ctx.db, ctx.viewer, { country, first }), ctx.loaders.levels()]);
      const nodes: unknown[] = [];
      for (const { indicator, values: page } of rows) {
        const observed = page.map((v) => {
          ctx.access.sawRecord('observation', v.id, v.tlp, v.sourceOrgId);
          // period and level as the observation mapper computes them, with the same functions.
          const computed = observationValues(v, indicator.code, country, indicator.periodicity, levels);
          return Object.fromEntries(values.node.map((f) => [f.key, f.read === 'typename' ? 'Observation' : computed[f.read]]));
        });
        const mapped = toIndicator(indicator);
        const node = placeNode(plan.fields.filter((f) => f.read !== 'observations'), mapped as unknown as Record<string, unknown>, indicatorTexts(mapped), variables, ctx, 'Indicator')!;
        nodes.push(Object.fromEntries(plan.fields.map((f) => [f.key, f.read === 'observations' ? connectionOf(values, ['ObservationConnection', 'ObservationEdge'], observed) : node[f.key]])));
      }
      return nodes;
    };
  }
  const list = listFor(plan.list, variables, ctx);
  if (!list) return null;
  if (plan.root === 'reports') {
    return async () => {
      const rows = await findReportsAsJson(ctx.db, ctx.viewer, list, list.fields);
      rows.forEach(seenReport);
      return connectionOf(plan.list, REPORT_TYPENAMES, rows.map((r) => r.node));
    };
  }
  const orgs = plan.organizations;
  const first = pageSize(orgs.first, variables);
  const orgFields = fieldsFor(orgs.node, variables, ctx) as PlaceField[] | null;
  if (first === null || !orgFields) return null;
  return async () => {
    const rows = await findOrganizationsWithReportsAsJson(ctx.db, ctx.viewer, { first }, orgFields, list, list.fields);
    // Rows come in the organizations' order, each one's reports in the page's order (one row per report).
    const byOrg = new Map<string, { org: Record<string, unknown>; nodes: unknown[] }>();
    for (const row of rows) {
      let entry = byOrg.get(row.orgId);
      if (!entry) byOrg.set(row.orgId, (entry = { org: row.org, nodes: [] }));
      if (row.report) {
        seenReport(row.report);
        entry.nodes.push(row.report.node);
      }
    }
    const nodes = [...byOrg.values()].map(({ org, nodes: reports }) =>
      Object.fromEntries(orgs.node.map((f) => [f.key, f.reports ? connectionOf(f.reports, REPORT_TYPENAMES, reports) : org[f.key]])),
    );
    return connectionOf(orgs, ['OrganizationConnection', 'OrganizationEdge'], nodes);
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One report by id: its node from one statement, and when asked its indicators (from the reference
 * snapshot, as the resolver reads them) with each one's latest values from latestObservations, the very
 * function behind Indicator.latestValues (one statement for all of them).
 */
async function prepareReport(plan: Extract<RootPlan, { root: 'report' }>, variables: Record<string, unknown>, ctx: Context): Promise<Prepared> {
  const id = valueOf(plan.id, variables);
  const built = fieldsFor(plan.node, variables, ctx) as ReportField[] | null;
  const indicatorsField = plan.node.find((f) => f.indicators);
  const latest = indicatorsField?.indicators?.latest;
  const countries = latest ? valueOf(latest.countries, variables) : undefined;
  const countriesOk = countries == null || (Array.isArray(countries) && countries.length <= 50 && countries.every((c) => typeof c === 'string' && ISO3.test(c)));
  if (typeof id !== 'string' || !UUID.test(id) || !built || !countriesOk) return null;
  if (indicatorsField && !langsOf(indicatorsField.indicators!.fields, variables, ctx)) return null;
  if (latest && !langsOf(latest.node, variables, ctx)) return null;
  const signature = JSON.stringify(built);
  let fields = plan.resolved.get(signature);
  if (!fields) plan.resolved.set(signature, (fields = built));
  const reportFields = fields;
  return async () => {
    const row = await findReportAsJson(ctx.db, ctx.viewer, id, reportFields);
    if (!row) return null;
    ctx.access.sawRecord('report', row.id, row.tlp, row.authorOrgId);
    if (!indicatorsField) return row.node;
    const { fields: indicatorFields } = indicatorsField.indicators!;
    const found = (await ctx.loaders.indicator.loadMany(row.indicatorCodes)).flatMap((r) => (r && !(r instanceof Error) ? [r] : []));
    const levels = await ctx.loaders.levels();
    const values = latest && found.length ? await latestObservations(ctx.db, ctx.viewer, { by: 'indicator', keys: found.map((i) => i.code) }, { countries: countries as string[] | null }) : [];
    const indicatorNodes: Record<string, unknown>[] = [];
    for (const indicatorRow of found) {
      const indicator = toIndicator(indicatorRow);
      const plain = placeNode(indicatorFields.filter((f) => f.read !== 'latestValues'), indicator as unknown as Record<string, unknown>, indicatorTexts(indicator), variables, ctx, 'Indicator')!;
      const latestNodes: Record<string, unknown>[] = [];
      if (latest) {
        for (const v of values.filter((o) => o.indicatorCode === indicatorRow.code)) {
          ctx.access.sawRecord('observation', v.id, v.tlp, v.sourceOrgId);
          const country = await ctx.loaders.country.load(v.countryIso3);
          const computed = observationValues(v, indicatorRow.code, v.countryIso3, indicatorRow.periodicity, levels);
          latestNodes.push(
            Object.fromEntries(
              latest.node.map((f) => {
                if (f.read === 'typename') return [f.key, 'Observation'];
                if (f.read !== 'country') return [f.key, computed[f.read]];
                const place = country && toCountry(country);
                return [f.key, place && placeNode(f.fields!, place as unknown as Record<string, unknown>, countryTexts(place), variables, ctx, 'Country')];
              }),
            ),
          );
        }
      }
      indicatorNodes.push(Object.fromEntries(indicatorFields.map((f) => [f.key, f.read === 'latestValues' ? latestNodes : plain[f.key]])));
    }
    return Object.fromEntries(plan.node.map((f) => [f.key, f.indicators ? indicatorNodes : row.node[f.key]]));
  };
}

/** Every language a plan's localized fields ask for is one we know (else the compiled path answers). */
function langsOf(fields: PlannedField[], variables: Record<string, unknown>, ctx: Context): boolean {
  return fields.every((f) => (f.lang === undefined || langOf(f.lang, variables, ctx) !== null) && (!f.fields || langsOf(f.fields, variables, ctx)));
}

/**
 * Runs a plan for one request; null when this request's values leave the path (a page size out of
 * range, an unknown country: the compiled path then answers with the argument's own error). A failing
 * statement fails its root field as graphql-js reports a failing resolver of a non-null root field
 * (formatError then masks or maps it).
 */
export async function runSqlJsonPlan(plan: SqlJsonPlan, variables: Record<string, unknown>, ctx: Context): Promise<ExecutionResult | null> {
  const prepared: (() => Promise<unknown>)[] = [];
  for (const root of plan.roots) {
    const run = await prepareRoot(root, variables, ctx);
    if (!run) return null;
    prepared.push(run);
  }
  const settled = await Promise.allSettled(prepared.map((run) => run()));
  const data: Record<string, unknown> = {};
  const errors: GraphQLError[] = [];
  // The list roots are non-null: one that fails nulls the whole data, as in graphql-js; `country` is nullable.
  let dataNulled = false;
  for (const [i, outcome] of settled.entries()) {
    const root = plan.roots[i]!;
    if (outcome.status === 'fulfilled') {
      data[root.rootKey] = outcome.value;
    } else {
      const cause = outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason));
      errors.push(new GraphQLError(cause.message, { nodes: [root.rootNode], path: [root.rootKey], originalError: cause }));
      data[root.rootKey] = null;
      if (root.root !== 'country') dataNulled = true;
    }
  }
  return errors.length ? { data: dataNulled ? null : data, errors } : { data };
}
