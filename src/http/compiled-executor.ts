import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getOperationAST, getVariableValues, GraphQLError, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { Context } from '../auth/context.js';
import { planSqlJson, type SqlJsonPlan } from './sql-path/plan.js';
import { runSqlJsonPlan } from './sql-path/run.js';

export interface CompiledExecutor {
  execute(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined, context: unknown, key: string): Promise<ExecutionResult>;
  /** For tests and /metrics: how many operations ran compiled, and how many fell back to graphql-js. */
  readonly stats: { sql: number; compiled: number; standard: number; compilations: number };
}

/**
 * graphql-jit's errors imitate graphql-js's: `extensions` is undefined when the thrown error had none
 * (Apollo then fails reading its code and answers a bare "Internal server error", skipping formatError's
 * masking and its SERVICE_UNAVAILABLE rule). Rebuilt as graphql-js would locate them: same message, path,
 * locations, original error, extensions.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? (error.originalError as { extensions?: Record<string, unknown> } | undefined)?.extensions,
  });
  if (error.locations) Object.defineProperty(rebuilt, 'locations', { value: error.locations, enumerable: true });
  return rebuilt;
}

async function withGraphQLErrors(result: ExecutionResult | Promise<ExecutionResult>): Promise<ExecutionResult> {
  const settled = await result;
  return settled.errors?.length ? { ...settled, errors: settled.errors.map(asGraphQLError) } : settled;
}

/** `__schema` and `__type` are answered by graphql-js: introspection is rare, and its resolvers are graphql-js's own. */
function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * A document compiled (and, where the SQL path serves it, planned for it), or marked for graphql-js
 * (introspection, subscriptions, what graphql-jit refuses).
 */
type Entry = { query: CompiledQuery; operation: OperationDefinitionNode; sql: SqlJsonPlan | null } | 'standard';

export interface CompiledExecutorOptions {
  /** Compiled documents kept (COMPILED_OPERATIONS_CACHE). */
  cacheSize?: number;
  onExecute?: (executor: 'sql' | 'compiled' | 'standard') => void;
  /** false: never answer from the SQL path (GRAPHQL_SQL_PATH=off), for comparison and diagnosis. */
  sqlPath?: boolean;
  onCompile?: () => void;
}

/**
 * Executes operations through graphql-jit: each document (by its hash and operation name) is compiled
 * once into a function that reads plain fields as properties and calls only the resolvers the schema
 * has — the same resolvers graphql-js calls, so the field policy (graphql-shield's wrappers), the row
 * rule (inside the data-access functions) and the access log (a wrapper on every field that hands out
 * a record, src/auth/access-log.ts) run exactly as they do under graphql-js. What graphql-js spends per
 * field and per object (building paths, info objects and promises for plain properties) is what this
 * saves. A document graphql-jit cannot compile, and introspection, run through graphql-js.
 */
export function createCompiledExecutor(schema: GraphQLSchema, options: CompiledExecutorOptions = {}): CompiledExecutor {
  // A compiled operation holds generated code; a bounded cache keeps memory flat under many distinct documents.
  const cache = new LRUCache<string, Entry>({ max: options.cacheSize ?? 1000 });
  const stats = { sql: 0, compiled: 0, standard: 0, compilations: 0 };

  const compiledFor = (document: DocumentNode, operationName: string | undefined, key: string): Entry => {
    const cacheKey = `${key}\u0000${operationName ?? ''}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    stats.compilations += 1;
    options.onCompile?.();
    let entry: Entry = 'standard';
    const operation = getOperationAST(document, operationName);
    if (operation && operation.operation !== 'subscription' && !usesIntrospection(document)) {
      // disablingCapturingStackErrors: a stack per error costs time and is never sent (formatError masks it).
      const compiled = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      if (isCompiledQuery(compiled)) entry = { query: compiled, operation, sql: options.sqlPath === false ? null : planSqlJson(operation) };
    }
    cache.set(cacheKey, entry);
    return entry;
  };

  return {
    stats,
    async execute(document, operationName, variables, context, key) {
      const compiled = compiledFor(document, operationName, key);
      if (compiled === 'standard') {
        stats.standard += 1;
        options.onExecute?.('standard');
        return execute({ schema, document, operationName, variableValues: variables, contextValue: context });
      }
      // Variables are checked by graphql-js first: its errors are the ones Apollo answers with 400
      // BAD_USER_INPUT (graphql-jit words its own differently). The compiled query coerces them again.
      let coerced: Record<string, unknown> = {};
      if (compiled.operation.variableDefinitions?.length) {
        const checked = getVariableValues(schema, compiled.operation.variableDefinitions, variables ?? {}, { maxErrors: 50 });
        if (checked.errors) return { errors: checked.errors };
        coerced = checked.coerced;
      }
      if (compiled.sql) {
        const answered = await runSqlJsonPlan(compiled.sql, coerced, context as Context);
        if (answered) {
          stats.sql += 1;
          options.onExecute?.('sql');
          return answered;
        }
      }
      stats.compiled += 1;
      options.onExecute?.('compiled');
      return withGraphQLErrors(compiled.query.query(undefined, context, variables ?? {}));
    },
  };
}

/**
 * Apollo Server runs an executor of its own only through the gateway interface: this one serves the
 * schema as it is (no supergraph, no polling) and executes with the compiled executor. Apollo's request
 * pipeline — parsing, validation rules, plugins, formatError, HTTP status — is unchanged.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, executor: CompiledExecutor): GatewayInterface {
  const run: GatewayExecutor = (requestContext) =>
    executor.execute(requestContext.document, requestContext.request.operationName ?? undefined, requestContext.request.variables, requestContext.context, requestContext.queryHash);
  return {
    load: async () => ({ schema, executor: run }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: async () => undefined,
  };
}
