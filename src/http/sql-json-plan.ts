import { GraphQLError, Kind, type ExecutionResult, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { Context } from '../auth/context.js';
import { isPublic } from '../auth/policy.js';
import { findIndicatorsWithObservations } from '../db/queries/observation-json.js';
import { latestObservations } from '../db/queries/observations.js';
import { findOrganizationsWithReportsAsJson, findReportAsJson, findReportsAsJson, type JsonLang, type PlaceField, type ReportField, type ReportJsonRow } from '../db/queries/report-json.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Lang } from '../schema/common/enums.js';
import { pick, type Localized } from '../schema/common/localized.js';
import { formatPeriod } from '../schema/common/period.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { levelOf } from '../schema/indicator/level.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/common/page.args.js';

/**
 * The SQL path (issue 14): an operation whose whole answer PostgreSQL can shape as JSON is planned once
 * per document and answered from one statement, with no per-field execution in Node. It serves a list
 * of reports (`reports`), or of organizations with a list of each one's reports (`organizations {
 * reports }`), with the plain fields of the reports, their countries and author — what the network's
 * feeds and lists ask most — and only when every field selected is PUBLIC in the policy: a field that
 * may be refused needs its rule, so such an operation keeps the compiled path. The row rule is the one
 * every path uses (findReports' conditions), and the access log records each report handed out, as the
 * resolver hook does. Anything else (fragments, directives, filters, cursors, counts, other fields)
 * returns no plan, and the compiled executor runs the operation as before.
 */

/** An argument as the document gives it: a literal, a variable, or nothing. */
type Input = { literal: ValueNode } | { variable: string } | null;

interface PlannedField {
  key: string;
  read: string;
  lang?: Input;
  fields?: PlannedField[];
  /** For Organization.reports: the nested list of reports. */
  reports?: ConnectionPlan;
  /** For Report.indicators (one report by id): the indicators' fields, and their latest values if asked. */
  indicators?: { fields: PlannedField[]; latest: { key: string; countries: Input; node: PlannedField[] } | null };
}

/** A connection of reports: its arguments and the response's keys, in the selection's order. */
interface ConnectionPlan {
  first: Input;
  orderBy: Input;
  connection: { key: string; typename: boolean }[];
  edge: { key: string; typename: boolean }[];
  node: PlannedField[];
  /** The node's fields per combination of languages, built once each: the SQL module renders each list once. */
  resolved: Map<string, ReportField[]>;
}

/** One root field of the operation, as the SQL path answers it. */
export type RootPlan = {
  rootKey: string;
  /** The root field, to locate an error as graphql-js would. */
  rootNode: FieldNode;
} & (
  | { root: 'reports'; list: ConnectionPlan }
  | {
      root: 'organizations';
      list: ConnectionPlan;
      /** Its connection's keys and the organization's fields (one of them `reports`). */
      organizations: { first: Input; connection: { key: string; typename: boolean }[]; edge: { key: string; typename: boolean }[]; node: PlannedField[] };
    }
  | { root: 'country'; iso3: Input; fields: PlannedField[] }
  | { root: 'report'; id: Input; node: PlannedField[]; resolved: Map<string, ReportField[]> }
  | { root: 'indicators'; fields: PlannedField[]; values: ObservationListPlan }
);

/** Indicator.observations(country, first): one country's page of each indicator's values. */
interface ObservationListPlan {
  key: string;
  country: Input;
  first: Input;
  connection: { key: string; typename: boolean }[];
  edge: { key: string; typename: boolean }[];
  node: PlannedField[];
}

export interface SqlJsonPlan {
  roots: RootPlan[];
}

const REPORT_FIELDS = new Set(['id', 'title', 'summary', 'body', 'publishedAt', 'updatedAt', 'tlp', 'kind', 'language', 'topics', 'revision', 'countries', 'author']);
const INDICATOR_FIELDS = new Set(['code', 'name', 'unit', 'periodicity', 'worseDirection', 'theme']);
const OBSERVATION_FIELDS = new Set(['id', 'period', 'value', 'level', 'tlp']);
const COUNTRY_FIELDS = new Set(['iso3', 'iso2', 'name']);
const ORGANIZATION_FIELDS = new Set(['id', 'acronym', 'kind', 'name']);
const LOCALIZED = new Set(['title', 'name']);

const keyOf = (field: FieldNode) => field.alias?.value ?? field.name.value;

/** The fields of a selection set, or null when it holds a fragment, a directive or a repeated response key. */
function plainFields(set: SelectionSetNode | undefined): FieldNode[] | null {
  if (!set) return null;
  const fields: FieldNode[] = [];
  const keys = new Set<string>();
  for (const selection of set.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    if (keys.has(keyOf(selection))) return null;
    keys.add(keyOf(selection));
    fields.push(selection);
  }
  return fields;
}

/** The named arguments of a field, or null when it has another. */
function argsOf(field: FieldNode, allowed: readonly string[]): Record<string, Input> | null {
  const out: Record<string, Input> = {};
  for (const arg of field.arguments ?? []) {
    if (!allowed.includes(arg.name.value)) return null;
    out[arg.name.value] = arg.value.kind === Kind.VARIABLE ? { variable: arg.value.name.value } : { literal: arg.value };
  }
  return out;
}

/** A leaf or a place (country, author) of a node, planned when the policy makes it PUBLIC. */
function planField(typeName: string, field: FieldNode, known: Set<string>): PlannedField | null {
  const name = field.name.value;
  if (name === '__typename') return field.arguments?.length || field.selectionSet ? null : { key: keyOf(field), read: 'typename' };
  if (!known.has(name) || !isPublic(typeName, name)) return null;
  const args = argsOf(field, LOCALIZED.has(name) ? ['lang'] : []);
  if (!args) return null;
  const planned: PlannedField = { key: keyOf(field), read: name, ...(LOCALIZED.has(name) ? { lang: args.lang ?? null } : {}) };
  if (name === 'countries' || name === 'author') {
    const [placeType, placeFields] = name === 'countries' ? ['Country', COUNTRY_FIELDS] : ['Organization', ORGANIZATION_FIELDS];
    const selected = plainFields(field.selectionSet);
    if (!selected) return null;
    const fields = selected.map((f) => planField(placeType, f, placeFields));
    if (fields.some((f) => f === null)) return null;
    planned.fields = fields as PlannedField[];
  } else if (field.selectionSet) {
    return null;
  }
  return planned;
}

/**
 * `edges { node { … } }` of a connection (with `__typename` anywhere), the node's fields planned by
 * `planNode`; null for anything else (totalCount, pageInfo, cursor).
 */
function planEdges(
  field: FieldNode,
  types: { connection: string; edge: string },
  planNode: (node: FieldNode) => PlannedField | null,
): { connection: { key: string; typename: boolean }[]; edge: { key: string; typename: boolean }[]; node: PlannedField[] } | null {
  const out = { connection: [] as { key: string; typename: boolean }[], edge: [] as { key: string; typename: boolean }[], node: [] as PlannedField[] };
  const connectionFields = plainFields(field.selectionSet);
  if (!connectionFields) return null;
  for (const c of connectionFields) {
    if (c.name.value === '__typename') out.connection.push({ key: keyOf(c), typename: true });
    else if (c.name.value === 'edges' && !out.connection.some((x) => !x.typename) && !c.arguments?.length && isPublic(types.connection, 'edges')) {
      out.connection.push({ key: keyOf(c), typename: false });
      const edgeFields = plainFields(c.selectionSet);
      if (!edgeFields) return null;
      for (const e of edgeFields) {
        if (e.name.value === '__typename') out.edge.push({ key: keyOf(e), typename: true });
        else if (e.name.value === 'node' && !out.edge.some((x) => !x.typename) && !e.arguments?.length && isPublic(types.edge, 'node')) {
          out.edge.push({ key: keyOf(e), typename: false });
          const nodeFields = plainFields(e.selectionSet);
          if (!nodeFields) return null;
          for (const n of nodeFields) {
            const planned = planNode(n);
            if (!planned) return null;
            out.node.push(planned);
          }
        } else return null;
      }
    } else return null;
  }
  return out;
}

/** A connection of reports (`first`, `orderBy` only) and its nodes' fields. */
function planReports(field: FieldNode): ConnectionPlan | null {
  const args = argsOf(field, ['first', 'orderBy']);
  if (!args) return null;
  const edges = planEdges(field, { connection: 'ReportConnection', edge: 'ReportEdge' }, (n) => planField('Report', n, REPORT_FIELDS));
  return edges && { first: args.first ?? null, orderBy: args.orderBy ?? null, resolved: new Map(), ...edges };
}

/** An organization's field: a plain one, or its `reports` (only one list per organization). */
function planOrganizationField(field: FieldNode, lists: { count: number }): PlannedField | null {
  if (field.name.value !== 'reports') return planField('Organization', field, ORGANIZATION_FIELDS);
  if (!isPublic('Organization', 'reports') || (lists.count += 1) > 1) return null;
  const reports = planReports(field);
  return reports && { key: keyOf(field), read: 'reports', reports };
}

/** An indicator's field: a plain one, or its `observations(country, first)` (only one list per indicator). */
function planIndicatorField(field: FieldNode, lists: { values?: ObservationListPlan | null }): PlannedField | null {
  if (field.name.value !== 'observations') return planField('Indicator', field, INDICATOR_FIELDS);
  if (!isPublic('Indicator', 'observations') || lists.values !== undefined) return null;
  const args = argsOf(field, ['country', 'first']);
  const edges = args && planEdges(field, { connection: 'ObservationConnection', edge: 'ObservationEdge' }, (n) => planField('Observation', n, OBSERVATION_FIELDS));
  // One country's values: without one, the list mixes countries, left to the compiled path.
  lists.values = edges && args.country ? { key: keyOf(field), country: args.country, first: args.first ?? null, ...edges } : null;
  return lists.values && { key: keyOf(field), read: 'observations' };
}

/** Report.indicators of one report: plain indicator fields and, at most once, latestValues(countries). */
function planReportIndicators(field: FieldNode): PlannedField | null {
  if (!isPublic('Report', 'indicators') || field.arguments?.length) return null;
  let latest: NonNullable<PlannedField['indicators']>['latest'] = null;
  const fields: PlannedField[] = [];
  for (const f of plainFields(field.selectionSet) ?? []) {
    if (f.name.value === 'latestValues') {
      const args = argsOf(f, ['countries']);
      const node = plainFields(f.selectionSet)?.map((o) =>
        o.name.value === 'country'
          ? isPublic('Observation', 'country') && !o.arguments?.length ? withPlace({ key: keyOf(o), read: 'country' }, o, 'Country', COUNTRY_FIELDS) : null
          : planField('Observation', o, OBSERVATION_FIELDS),
      );
      if (latest || !isPublic('Indicator', 'latestValues') || !args || !node || node.some((n) => n === null)) return null;
      latest = { key: keyOf(f), countries: args.countries ?? null, node: node as PlannedField[] };
      fields.push({ key: keyOf(f), read: 'latestValues' });
    } else {
      const planned = planField('Indicator', f, INDICATOR_FIELDS);
      if (!planned) return null;
      fields.push(planned);
    }
  }
  return fields.length ? { key: keyOf(field), read: 'indicators', indicators: { fields, latest } } : null;
}

/** A place (an observation's country) planned from its own selection. */
function withPlace(planned: PlannedField, field: FieldNode, typeName: string, known: Set<string>): PlannedField | null {
  const fields = plainFields(field.selectionSet)?.map((f) => planField(typeName, f, known));
  if (!fields || fields.some((f) => f === null)) return null;
  return { ...planned, fields: fields as PlannedField[] };
}

/** One root field, or null when the SQL path does not serve it. */
function planRoot(root: FieldNode): RootPlan | null {
  const at = { rootKey: keyOf(root), rootNode: root };
  const name = root.name.value;
  if (!isPublic('Query', name)) return null;
  if (name === 'reports') {
    const list = planReports(root);
    return list && { ...at, root: 'reports', list };
  }
  if (name === 'organizations') {
    const args = argsOf(root, ['first']);
    const lists = { count: 0 };
    const organizations = args && planEdges(root, { connection: 'OrganizationConnection', edge: 'OrganizationEdge' }, (n) => planOrganizationField(n, lists));
    const nested = organizations?.node.find((f) => f.reports)?.reports;
    // Organizations without their reports are reference data the compiled path serves from memory.
    if (!organizations || !nested) return null;
    return { ...at, root: 'organizations', list: nested, organizations: { first: args.first ?? null, ...organizations } };
  }
  if (name === 'report') {
    const args = argsOf(root, ['id']);
    const node = plainFields(root.selectionSet)?.map((f) => (f.name.value === 'indicators' ? planReportIndicators(f) : planField('Report', f, REPORT_FIELDS)));
    if (!args?.id || !node || node.some((f) => f === null)) return null;
    return { ...at, root: 'report', id: args.id, node: node as PlannedField[], resolved: new Map() };
  }
  if (name === 'country') {
    const args = argsOf(root, ['iso3']);
    const fields = plainFields(root.selectionSet)?.map((f) => planField('Country', f, COUNTRY_FIELDS));
    if (!args?.iso3 || !fields || fields.some((f) => f === null)) return null;
    return { ...at, root: 'country', iso3: args.iso3, fields: fields as PlannedField[] };
  }
  if (name === 'indicators') {
    const lists: { values?: ObservationListPlan | null } = {};
    const fields = argsOf(root, []) && plainFields(root.selectionSet)?.map((f) => planIndicatorField(f, lists));
    if (!fields || fields.some((f) => f === null) || !lists.values) return null;
    return { ...at, root: 'indicators', fields: fields as PlannedField[], values: lists.values };
  }
  return null;
}

/**
 * Plans an operation, once per document; null when the SQL path does not serve it: every root field must
 * be served, and one of them must be a list (a lone country is a reference lookup the compiled path makes
 * from memory).
 */
export function planSqlJson(operation: OperationDefinitionNode): SqlJsonPlan | null {
  if (operation.operation !== 'query' || operation.directives?.length) return null;
  const fields = plainFields(operation.selectionSet);
  const roots = fields?.map(planRoot);
  if (!roots?.length || roots.some((r) => r === null) || roots.every((r) => r!.root === 'country')) return null;
  return { roots: roots as RootPlan[] };
}

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

/** A country or an indicator from its row, its fields in the selection's order (names by pick, as the resolvers). */
function placeNode(fields: PlannedField[], values: Record<string, unknown>, names: Localized, variables: Record<string, unknown>, ctx: Context, typename: string): Record<string, unknown> | null {
  const node: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.read === 'typename') node[f.key] = typename;
    else if (f.read === 'name') {
      const lang = langOf(f.lang, variables, ctx);
      if (!lang) return null;
      node[f.key] = pick(names, lang === 'ru' ? Lang.RU : Lang.EN);
    } else node[f.key] = values[f.read];
  }
  return node;
}

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
    const node = placeNode(plan.fields, country as unknown as Record<string, unknown>, country.names, variables, ctx, 'Country');
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
    const rows = await findIndicatorsWithObservations(ctx.db, ctx.viewer, { country, first });
    const nodes: unknown[] = [];
    for (const { indicator, values: page } of rows) {
      const observed = page.map((v) => {
        ctx.access.sawRecord('observation', v.id, v.tlp, v.sourceOrgId);
        // period and level as the observation mapper computes them, with the same functions.
        const computed: Record<string, unknown> = { id: v.id, value: v.value, tlp: v.tlp, period: formatPeriod(v.periodStart, indicator.periodicity), level: levelOf(v.value, indicator) };
        return Object.fromEntries(values.node.map((f) => [f.key, f.read === 'typename' ? 'Observation' : computed[f.read]]));
      });
      const mapped = toIndicator(indicator);
      const node = placeNode(plan.fields.filter((f) => f.read !== 'observations'), mapped as unknown as Record<string, unknown>, mapped.names, variables, ctx, 'Indicator')!;
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
    const values = latest && found.length ? await latestObservations(ctx.db, ctx.viewer, { by: 'indicator', keys: found.map((i) => i.code) }, { countries: countries as string[] | null }) : [];
    const indicatorNodes: Record<string, unknown>[] = [];
    for (const indicatorRow of found) {
      const indicator = toIndicator(indicatorRow);
      const plain = placeNode(indicatorFields.filter((f) => f.read !== 'latestValues'), indicator as unknown as Record<string, unknown>, indicator.names, variables, ctx, 'Indicator')!;
      const latestNodes: Record<string, unknown>[] = [];
      if (latest) {
        for (const v of values.filter((o) => o.indicatorCode === indicatorRow.code)) {
          ctx.access.sawRecord('observation', v.id, v.tlp, v.sourceOrgId);
          const country = await ctx.loaders.country.load(v.countryIso3);
          const computed: Record<string, unknown> = { id: v.id, value: v.value, tlp: v.tlp, period: formatPeriod(v.periodStart, indicatorRow.periodicity), level: levelOf(v.value, indicatorRow) };
          latestNodes.push(
            Object.fromEntries(
              latest.node.map((f) => {
                if (f.read === 'typename') return [f.key, 'Observation'];
                if (f.read !== 'country') return [f.key, computed[f.read]];
                const place = country && toCountry(country);
                return [f.key, place && placeNode(f.fields!, place as unknown as Record<string, unknown>, place.names, variables, ctx, 'Country')];
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
