import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import type { Viewer } from '../auth/viewer.js';
import { introspectionPolicy, type Config } from '../config.js';
import { ApiError, ErrorCode } from '../errors.js';
import { limitRules, operationCost } from './limits.js';
import { rateLimitKey, type RateLimits } from './rate-limit.js';

/** Who sends an operation, as every transport knows it after authentication. */
export interface Caller {
  viewer: Viewer;
  ip: string | undefined;
  introspectionAllowed: boolean;
}

export interface Operation {
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName?: string | undefined;
}

/** An operation parsed and validated by `prepare`, ready for `admitOperation` and execution. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * The guards every GraphQL operation passes, whatever the transport: HTTP (Apollo, which parses and
 * validates with `parseOptions` and `validationRules`, and calls `admitOperation` from the request
 * plugin) and WebSocket (graphql-ws, which calls `prepare` for the same steps, then `admitOperation`).
 * One set of limits, one introspection rule, one budget per organization: a second transport must not
 * be a way around the first.
 */
export interface OperationGuard {
  readonly parseOptions: ParseOptions;
  readonly validationRules: readonly ValidationRule[];
  /** INTROSPECTION: everyone in development, members in production unless configured. */
  introspectionAllowed(viewer: Viewer): boolean;
  /** MAX_DOCUMENT_BYTES, checked before parsing (comments are no tokens: MAX_TOKENS alone does not bound the length). */
  documentTooLarge(query: unknown): ApiError | undefined;
  /** One request or socket operation against the caller's per-minute budget (RATE_LIMITED when spent). */
  admitRequest(caller: Caller): Promise<void>;
  /** Introspection and `_service`, the cost limit and the cost budget; returns the cost. */
  admitOperation(caller: Caller, operation: Operation): Promise<number>;
  /**
   * What Apollo does before `admitOperation`, for transports without it: the document length, parsing,
   * validation, the operation types this transport serves, variable coercion. Errors carry Apollo's codes.
   */
  prepare(payload: { query?: unknown; variables?: unknown; operationName?: unknown }, serves: readonly OperationTypeNode[]): PreparedOperation | GraphQLError[];
  /** At most MAX_ERRORS errors, then one that says how many more there were. */
  capErrors<T extends GraphQLFormattedError>(errors: readonly T[]): (T | GraphQLFormattedError)[];
}

/** Root fields that reveal the schema: introspection, and federation's `_service { sdl }` (the whole SDL). */
const SCHEMA_FIELDS = new Set(['__schema', '__type', '_service']);

function revealsSchema(document: DocumentNode): boolean {
  const visit = (set: SelectionSetNode | undefined, fragments: Set<string>): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD) return SCHEMA_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, fragments);
      if (fragments.has(s.name.value)) return false;
      fragments.add(s.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      return fragment?.kind === Kind.FRAGMENT_DEFINITION && visit(fragment.selectionSet, fragments);
    });
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && visit(d.selectionSet, new Set()));
}

const withCode = (error: GraphQLError, code: ErrorCode) =>
  new GraphQLError(error.message, { nodes: error.nodes ?? null, source: error.source ?? null, positions: error.positions ?? null, path: error.path ?? null, originalError: error.originalError ?? null, extensions: { ...error.extensions, code } });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function createOperationGuard(deps: { config: Config; schema: GraphQLSchema; rateLimits: RateLimits }): OperationGuard {
  const { config, schema, rateLimits } = deps;
  const introspection = introspectionPolicy(config);
  const parseOptions: ParseOptions = { maxTokens: config.MAX_TOKENS };
  const validationRules = limitRules(config);
  const allRules = [...specifiedRules, ...validationRules];

  const guard: OperationGuard = {
    parseOptions,
    validationRules,
    introspectionAllowed: (viewer) => introspection === 'all' || (introspection === 'members' && viewer.kind === 'member'),

    documentTooLarge(query) {
      if (typeof query !== 'string') return undefined;
      const bytes = Buffer.byteLength(query, 'utf8');
      if (bytes <= config.MAX_DOCUMENT_BYTES) return undefined;
      return new ApiError(ErrorCode.BAD_USER_INPUT, `The GraphQL document is ${bytes} bytes; the limit is ${config.MAX_DOCUMENT_BYTES}`, {
        limit: config.MAX_DOCUMENT_BYTES,
        http: { status: 413 },
      });
    },

    admitRequest: (caller) => rateLimits.request(rateLimitKey(caller.viewer, caller.ip)),

    async admitOperation(caller, { document, variables, operationName }) {
      if (revealsSchema(document) && !caller.introspectionAllowed) {
        throw new ApiError(ErrorCode.FORBIDDEN, 'Introspection is not available to this caller', { http: { status: 403 } });
      }
      const cost = operationCost(schema, document, variables, operationName);
      if (cost > config.MAX_COST) {
        throw new ApiError(ErrorCode.QUERY_TOO_COMPLEX, `Query cost ${cost} exceeds the limit of ${config.MAX_COST}; ask for smaller pages (first) or fewer nested lists`, {
          cost,
          limit: config.MAX_COST,
          http: { status: 400 },
        });
      }
      await rateLimits.cost(rateLimitKey(caller.viewer, caller.ip), cost);
      return cost;
    },

    prepare(payload, serves) {
      const { query, variables = {}, operationName } = payload;
      if (typeof query !== 'string') return [new ApiError(ErrorCode.BAD_REQUEST, 'The payload must hold a `query` string')];
      if ((variables !== null && !isRecord(variables)) || (operationName != null && typeof operationName !== 'string')) {
        return [new ApiError(ErrorCode.BAD_REQUEST, '`variables` must be an object and `operationName` a string')];
      }
      const tooLarge = guard.documentTooLarge(query);
      if (tooLarge) return [tooLarge];
      let document: DocumentNode;
      try {
        document = parse(query, parseOptions);
      } catch (error) {
        return [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), ErrorCode.GRAPHQL_PARSE_FAILED)];
      }
      const invalid = validate(schema, document, allRules);
      if (invalid.length > 0) return invalid.map((e) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED));
      const operation = getOperationAST(document, operationName ?? undefined);
      if (!operation) return [new ApiError(ErrorCode.BAD_REQUEST, 'Unable to identify the operation: name it with operationName')];
      if (!serves.includes(operation.operation)) {
        return [new ApiError(ErrorCode.BAD_REQUEST, `Only ${serves.join(' and ')} operations are served over WebSocket; send queries and mutations to POST /graphql`)];
      }
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: config.MAX_ERRORS + 1 });
      if (coerced.errors) return coerced.errors.map((e) => withCode(e, ErrorCode.BAD_USER_INPUT));
      return { document, operation };
    },

    capErrors(errors) {
      if (errors.length <= config.MAX_ERRORS) return [...errors];
      const omitted = errors.length - config.MAX_ERRORS;
      const code = errors[config.MAX_ERRORS]?.extensions?.code;
      return [
        ...errors.slice(0, config.MAX_ERRORS),
        { message: `…and ${omitted} more errors (at most ${config.MAX_ERRORS} are listed per response)`, extensions: { ...(code ? { code } : {}), omitted } },
      ];
    },
  };
  return guard;
}
