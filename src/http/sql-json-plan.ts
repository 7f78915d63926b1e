import { GraphQLError, Kind, type ExecutionResult, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { Context } from '../auth/context.js';
import { isPublic } from '../auth/policy.js';
import { findReportsAsJson, type JsonLang, type PlaceField, type ReportField } from '../db/queries/report-json.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/common/page.args.js';

/**
 * The SQL path (issue 14): an operation whose whole answer PostgreSQL can shape as JSON is planned once
 * per document and answered from one statement, with no per-field execution in Node. It serves a list
 * of reports and the plain fields of its nodes, their countries and author — what the network's feeds
 * and lists ask most — and only when every field selected is PUBLIC in the policy: a field that may be
 * refused needs its rule, so such an operation keeps the compiled path. The row rule is the one every
 * path uses (findReports' conditions), and the access log records each report handed out, as the
 * resolver hook does. Anything else (fragments, directives, filters, cursors, counts, other fields)
 * returns no plan, and the compiled executor runs the operation as before.
 */

/** An argument as the document gives it: a literal, a variable, or nothing. */
type Input = { literal: ValueNode } | { variable: string } | null;

interface PlannedField<R> {
  key: string;
  read: R;
  lang?: Input;
  fields?: PlannedField<string>[];
}

export interface SqlJsonPlan {
  rootKey: string;
  /** The root field, to locate an error as graphql-js would. */
  rootNode: FieldNode;
  first: Input;
  orderBy: Input;
  /** The connection's selection, in order: `__typename` or `edges`. */
  connection: { key: string; typename: boolean }[];
  /** The edge's selection, in order: `__typename` or `node`. */
  edge: { key: string; typename: boolean }[];
  node: PlannedField<ReportField['read']>[];
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
function planField(typeName: string, field: FieldNode, known: Set<string>): PlannedField<string> | null {
  const name = field.name.value;
  if (name === '__typename') return field.arguments?.length || field.selectionSet ? null : { key: keyOf(field), read: 'typename' };
  if (!known.has(name) || !isPublic(typeName, name)) return null;
  const args = argsOf(field, LOCALIZED.has(name) ? ['lang'] : []);
  if (!args) return null;
  const planned: PlannedField<string> = { key: keyOf(field), read: name, ...(LOCALIZED.has(name) ? { lang: args.lang ?? null } : {}) };
  if (name === 'countries' || name === 'author') {
    const [placeType, placeFields] = name === 'countries' ? ['Country', COUNTRY_FIELDS] : ['Organization', ORGANIZATION_FIELDS];
    const selected = plainFields(field.selectionSet);
    if (!selected) return null;
    const fields = selected.map((f) => planField(placeType, f, placeFields));
    if (fields.some((f) => f === null)) return null;
    planned.fields = fields as PlannedField<string>[];
  } else if (field.selectionSet) {
    return null;
  }
  return planned;
}

/** Plans an operation, once per document; null when the SQL path does not serve it. */
export function planSqlJson(operation: OperationDefinitionNode): SqlJsonPlan | null {
  if (operation.operation !== 'query' || operation.directives?.length) return null;
  const roots = plainFields(operation.selectionSet);
  if (roots?.length !== 1 || roots[0]!.name.value !== 'reports' || !isPublic('Query', 'reports')) return null;
  const root = roots[0]!;
  const args = argsOf(root, ['first', 'orderBy']);
  const connectionFields = plainFields(root.selectionSet);
  if (!args || !connectionFields) return null;
  const plan: SqlJsonPlan = { rootKey: keyOf(root), rootNode: root, first: args.first ?? null, orderBy: args.orderBy ?? null, connection: [], edge: [], node: [] };
  let edgesSeen = false;
  for (const c of connectionFields) {
    if (c.name.value === '__typename') plan.connection.push({ key: keyOf(c), typename: true });
    else if (c.name.value === 'edges' && !edgesSeen && !c.arguments?.length && isPublic('ReportConnection', 'edges')) {
      edgesSeen = true;
      plan.connection.push({ key: keyOf(c), typename: false });
      const edgeFields = plainFields(c.selectionSet);
      if (!edgeFields) return null;
      let nodeSeen = false;
      for (const e of edgeFields) {
        if (e.name.value === '__typename') plan.edge.push({ key: keyOf(e), typename: true });
        else if (e.name.value === 'node' && !nodeSeen && !e.arguments?.length && isPublic('ReportEdge', 'node')) {
          nodeSeen = true;
          plan.edge.push({ key: keyOf(e), typename: false });
          const nodeFields = plainFields(e.selectionSet);
          if (!nodeFields) return null;
          for (const n of nodeFields) {
            const planned = planField('Report', n, REPORT_FIELDS);
            if (!planned) return null;
            plan.node.push(planned as PlannedField<ReportField['read']>);
          }
        } else return null;
      }
    } else return null;
  }
  return plan;
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

function fieldsFor(planned: PlannedField<string>[], variables: Record<string, unknown>, ctx: Context): (ReportField | PlaceField)[] | null {
  const out: (ReportField | PlaceField)[] = [];
  for (const p of planned) {
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

/**
 * Runs a plan for one request; null when this request's values leave the path (a page size out of
 * range: the compiled path then answers with the argument's own validation error).
 */
export async function runSqlJsonPlan(plan: SqlJsonPlan, variables: Record<string, unknown>, ctx: Context): Promise<ExecutionResult | null> {
  const first = valueOf(plan.first, variables) ?? DEFAULT_PAGE_SIZE;
  const orderBy = valueOf(plan.orderBy, variables) ?? 'PUBLISHED_DESC';
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) return null;
  if (typeof orderBy !== 'string' || !ORDERS.has(orderBy)) return null;
  const fields = fieldsFor(plan.node, variables, ctx) as ReportField[] | null;
  if (!fields) return null;
  let rows;
  try {
    rows = await findReportsAsJson(ctx.db, ctx.viewer, { first, orderBy: orderBy as 'PUBLISHED_DESC' }, fields);
  } catch (error) {
    // As graphql-js reports a failing resolver of a non-null root field (formatError masks or maps it).
    const cause = error instanceof Error ? error : new Error(String(error));
    return { data: null, errors: [new GraphQLError(cause.message, { nodes: [plan.rootNode], path: [plan.rootKey], originalError: cause })] };
  }
  for (const row of rows) ctx.access.sawRecord('report', row.id, row.tlp, row.authorOrgId);
  const edges = rows.map((row) => Object.fromEntries(plan.edge.map((e) => [e.key, e.typename ? 'ReportEdge' : row.node])));
  const connection = Object.fromEntries(plan.connection.map((c) => [c.key, c.typename ? 'ReportConnection' : edges]));
  return { data: { [plan.rootKey]: connection } };
}
