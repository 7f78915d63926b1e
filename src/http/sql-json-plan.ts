import { GraphQLError, Kind, type ExecutionResult, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { Context } from '../auth/context.js';
import { isPublic } from '../auth/policy.js';
import { findOrganizationsWithReportsAsJson, findReportsAsJson, type JsonLang, type PlaceField, type ReportField, type ReportJsonRow } from '../db/queries/report-json.js';
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

export interface SqlJsonPlan {
  root: 'reports' | 'organizations';
  rootKey: string;
  /** The root field, to locate an error as graphql-js would. */
  rootNode: FieldNode;
  list: ConnectionPlan;
  /** organizations: its connection's keys and the organization's fields (one of them `reports`). */
  organizations?: { first: Input; connection: { key: string; typename: boolean }[]; edge: { key: string; typename: boolean }[]; node: PlannedField[] };
}

const REPORT_FIELDS = new Set(['id', 'title', 'publishedAt', 'updatedAt', 'tlp', 'kind', 'language', 'topics', 'revision', 'countries', 'author']);
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

/** Plans an operation, once per document; null when the SQL path does not serve it. */
export function planSqlJson(operation: OperationDefinitionNode): SqlJsonPlan | null {
  if (operation.operation !== 'query' || operation.directives?.length) return null;
  const roots = plainFields(operation.selectionSet);
  if (roots?.length !== 1) return null;
  const root = roots[0]!;
  if (root.name.value === 'reports' && isPublic('Query', 'reports')) {
    const list = planReports(root);
    return list && { root: 'reports', rootKey: keyOf(root), rootNode: root, list };
  }
  if (root.name.value === 'organizations' && isPublic('Query', 'organizations')) {
    const args = argsOf(root, ['first']);
    const lists = { count: 0 };
    const organizations = args && planEdges(root, { connection: 'OrganizationConnection', edge: 'OrganizationEdge' }, (n) => planOrganizationField(n, lists));
    const nested = organizations?.node.find((f) => f.reports)?.reports;
    // Organizations without their reports are reference data the compiled path serves from memory.
    if (!organizations || !nested) return null;
    return { root: 'organizations', rootKey: keyOf(root), rootNode: root, list: nested, organizations: { first: args.first ?? null, ...organizations } };
  }
  return null;
}

/** An argument's value for this request (variables already coerced by graphql-js), or undefined. */
function valueOf(input: Input, variables: Record<string, unknown>): unknown {
  if (!input) return undefined;
  if ('variable' in input) return variables[input.variable];
  const node = input.literal;
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind === Kind.ENUM) return node.value;
  if (node.kind === Kind.NULL) return null;
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
    if (p.reports) continue;
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

/**
 * Runs a plan for one request; null when this request's values leave the path (a page size out of
 * range: the compiled path then answers with the argument's own validation error).
 */
export async function runSqlJsonPlan(plan: SqlJsonPlan, variables: Record<string, unknown>, ctx: Context): Promise<ExecutionResult | null> {
  const list = listFor(plan.list, variables, ctx);
  if (!list) return null;
  const seen = (row: ReportJsonRow) => ctx.access.sawRecord('report', row.id, row.tlp, row.authorOrgId);
  try {
    if (plan.root === 'reports') {
      const rows = await findReportsAsJson(ctx.db, ctx.viewer, list, list.fields);
      rows.forEach(seen);
      return { data: { [plan.rootKey]: connectionOf(plan.list, REPORT_TYPENAMES, rows.map((r) => r.node)) } };
    }
    const orgs = plan.organizations!;
    const first = pageSize(orgs.first, variables);
    const orgFields = fieldsFor(orgs.node, variables, ctx) as PlaceField[] | null;
    if (first === null || !orgFields) return null;
    const rows = await findOrganizationsWithReportsAsJson(ctx.db, ctx.viewer, { first }, orgFields, list, list.fields);
    // Rows come in the organizations' order, each one's reports in the page's order (one row per report).
    const byOrg = new Map<string, { org: Record<string, unknown>; nodes: unknown[] }>();
    for (const row of rows) {
      let entry = byOrg.get(row.orgId);
      if (!entry) byOrg.set(row.orgId, (entry = { org: row.org, nodes: [] }));
      if (row.report) {
        seen(row.report);
        entry.nodes.push(row.report.node);
      }
    }
    const nodes = [...byOrg.values()].map(({ org, nodes: reports }) =>
      Object.fromEntries(orgs.node.map((f) => [f.key, f.reports ? connectionOf(f.reports, REPORT_TYPENAMES, reports) : org[f.key]])),
    );
    return { data: { [plan.rootKey]: connectionOf(orgs, ['OrganizationConnection', 'OrganizationEdge'], nodes) } };
  } catch (error) {
    // As graphql-js reports a failing resolver of a non-null root field (formatError masks or maps it).
    const cause = error instanceof Error ? error : new Error(String(error));
    return { data: null, errors: [new GraphQLError(cause.message, { nodes: [plan.rootNode], path: [plan.rootKey], originalError: cause })] };
  }
}
