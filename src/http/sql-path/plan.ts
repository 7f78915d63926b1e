import { Kind, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { isPublic } from '../../auth/policy.js';
import type { ReportField } from '../../db/queries/report-json.js';

/**
 * The SQL path (issue 14): planning. An operation whose whole answer PostgreSQL can shape as JSON is
 * planned once per document (beside its graphql-jit compilation) and answered by run.ts from one
 * statement per root field, with no per-field execution in Node. Root fields served: `reports`,
 * `organizations { … reports }`, `report(id) { … indicators { … latestValues } }`, `indicators { …
 * observations(country) }` and `country(iso3)`, with the plain fields of their records and places —
 * what the network's feeds and analysts' views ask most — and only when every field selected is PUBLIC
 * in the policy: a field that may be refused needs its rule, so such an operation keeps the compiled
 * path. Anything else (fragments, directives, filters, ranges, cursors, counts, other fields) returns no
 * plan, and the compiled executor runs the operation as before.
 */

/** An argument as the document gives it: a literal, a variable, or nothing. */
export type Input = { literal: ValueNode } | { variable: string } | null;

export interface PlannedField {
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
export interface ConnectionPlan {
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
export interface ObservationListPlan {
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
const INDICATOR_FIELDS = new Set(['code', 'name', 'unit', 'methodology', 'periodicity', 'worseDirection', 'theme']);
const OBSERVATION_FIELDS = new Set(['id', 'period', 'value', 'rate', 'level', 'tlp']);
const COUNTRY_FIELDS = new Set(['iso3', 'iso2', 'name']);
const ORGANIZATION_FIELDS = new Set(['id', 'acronym', 'kind', 'name']);
/** Fields that take `lang` (an indicator's unit and methodology are bilingual like names). */
const LOCALIZED = new Set(['title', 'name', 'unit', 'methodology']);

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
