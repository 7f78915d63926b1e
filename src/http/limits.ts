import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { getOperationAST, getVariableValues, GraphQLError, Kind, visit, type ASTVisitor, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config.js';
import { ApiError, ErrorCode } from '../errors.js';
import { MAX_PAGE_SIZE } from '../schema/common/page.args.js';


/**
 * Validation rules that bound the shape of an operation. graphql-armor's defaults are not taken as they
 * are: aliases of `__typename` get no free pass (allowList []), fragments are flattened so a spread is not
 * counted as a level, and a rejection is reported, not thrown (a thrown one becomes a 500).
 */
export function limitRules(config: Config): ValidationRule[] {
  // Reported as an ordinary validation error (400), never thrown (a thrown one becomes a 500).
  const reject = (message: string) => ({
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null) => ctx?.reportError(new GraphQLError(message))],
  });
  return [
    maxDepthRule({ n: config.MAX_DEPTH, flattenFragments: true, ignoreIntrospection: true, exposeLimits: true, ...reject(`Query is deeper than the limit of ${config.MAX_DEPTH} levels`) }),
    maxAliasesRule({ n: config.MAX_ALIASES, allowList: [], exposeLimits: true, ...reject(`Query uses more than ${config.MAX_ALIASES} aliases`) }),
    maxDirectivesRule({ n: config.MAX_DIRECTIVES, exposeLimits: true, ...reject(`Query uses more than ${config.MAX_DIRECTIVES} directives`) }),
    maxRootFieldsRule(config.MAX_ROOT_FIELDS),
  ] as ValidationRule[];
}

/** At most `n` root fields per operation (fragments on the root type included). */
function maxRootFieldsRule(n: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const seen = new Set<string>();
      const count = (selections: readonly import('graphql').SelectionNode[]): number =>
        selections.reduce((sum, selection) => {
          if (selection.kind === Kind.FIELD) return sum + (selection.name.value.startsWith('__') ? 0 : 1);
          if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet.selections);
          if (seen.has(selection.name.value)) return sum;
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          return sum + (fragment ? count(fragment.selectionSet.selections) : 0);
        }, 0);
      const total = count(operation.selectionSet.selections);
      if (total > n) context.reportError(new GraphQLError(`Operation selects ${total} root fields; the limit is ${n}`));
    },
  });
}

/** How many items an unpaginated list field holds at most, as far as the data model goes. */
const LIST_SIZES: Record<string, number> = {
  'Query.countries': 10,
  'Query.indicators': 50,
  'Country.latestValues': 50,
  'Indicator.latestValues': 10,
  'Report.countries': 6,
  'Report.indicators': 10,
  'Report.tearlines': 5,
  'Organization.parents': 3,
  'Alert.observations': 13,
  // One triage per organization that acted on the alert: the network has about 25 organizations.
  'Alert.triages': 25,
  'AlertTriage.nextStates': 3,
  // The overview: ten topics, at most five indicators per theme, one series per country and source (the
  // region's six countries, one or two sources each), reportsPerTopic at most 10.
  'Overview.themes': 10,
  'ThemeOverview.indicators': 5,
  'IndicatorOverview.series': 12,
  'Overview.latestReports': 10,
  'TopicReports.reports': 10,
};
const DEFAULT_LIST_SIZE = 20;

/** The bound PageArgs validates (1–MAX_PAGE_SIZE), checked here because the estimate comes first. */
function pageSize(first: unknown): number {
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    // The same message as the resolver's validation: a negative or huge `first` used to turn the estimate
    // negative (cancelling the cost limit and the budget) before the resolver refused it.
    throw new ApiError(ErrorCode.BAD_USER_INPUT, `first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first', http: { status: 400 } });
  }
  return first;
}

/**
 * Cost of an operation: 1 per field, and a list field multiplies its children by its size — the
 * `first` argument as sent (literal or variable, 1 to 100) or its default for connections, the known
 * bound for small lists (LIST_SIZES), 20 for any other list.
 */
const pageSizeEstimator: ComplexityEstimator = ({ args, childComplexity, field, type }) => {
  // Introspection is bounded by the schema and governed by INTROSPECTION; GraphiQL, codegen and gateways send it.
  if (field.name.startsWith('__') || type.name.startsWith('__')) return 0;
  if ('first' in args) return 1 + pageSize(args.first) * childComplexity;
  // A connection's edges are the page its `first` already counted.
  if (field.name === 'edges') return 1 + childComplexity;
  const isList = /^\[|\]!?$/.test(String(field.type));
  const size = isList ? (LIST_SIZES[`${type.name}.${field.name}`] ?? DEFAULT_LIST_SIZE) : 1;
  return 1 + size * childComplexity;
};

/** The cost of the selection itself: 1 per field the document selects (introspection aside), lists counted once. */
function selectionCost(document: DocumentNode): number {
  let fields = 0;
  visit(document, { Field: (node) => void (node.name.value.startsWith('__') ? 0 : (fields += 1)) });
  return fields;
}

/**
 * The cost of the operation, never below the cost of its selection. Variables that do not coerce are
 * charged that floor: execution then refuses them as BAD_USER_INPUT before any resolver runs. An argument
 * out of range throws BAD_USER_INPUT; an estimate that cannot be made (the estimator's node cap, reached
 * by fragments spread inside fragments) throws QUERY_TOO_COMPLEX: it fails closed, never as cost 0.
 */
export function operationCost(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown>, operationName?: string): number {
  const floor = selectionCost(query);
  const operation = getOperationAST(query, operationName);
  if (!operation || getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return floor;
  let cost: number;
  try {
    cost = getComplexity({ schema, query, variables, ...(operationName ? { operationName } : {}), estimators: [pageSizeEstimator] });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(ErrorCode.QUERY_TOO_COMPLEX, 'The cost of this query cannot be estimated; ask for fewer nested fragments', { http: { status: 400 } });
  }
  return Math.max(cost, floor);
}
