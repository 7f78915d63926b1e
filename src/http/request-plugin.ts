import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { AccessLogWriter } from '../auth/access-log.js';
import type { Context } from '../auth/context.js';
import type { Config } from '../config.js';
import type { StatementCounter } from '../db/database.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { databaseUnavailable } from './format-error.js';
import { operationLabel, type Metrics } from './observability.js';
import type { OperationGuard } from './operation-guard.js';

export type RequestContext = Context & {
  statements: StatementCounter;
  requestId: string;
  ip: string | undefined;
  introspectionAllowed: boolean;
};

/**
 * The operation a request names, even when it is refused before Apollo resolves it (a validation
 * failure of `query Broken`, a bad token): the resolved name, else the one operation of the parsed
 * document (or the one `operationName` picks); without a parsed document (a parse failure, a refused
 * context), what the client sent as `operationName`, else the first `query|mutation|subscription Name`
 * of its text. Only for logs and metrics, through operationLabel.
 */
export function requestedOperationName(request: { operationName?: unknown; query?: unknown }, document?: DocumentNode): string | undefined {
  const given = typeof request.operationName === 'string' ? request.operationName : undefined;
  if (document) {
    const named = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
    if (given && named.includes(given)) return given;
    if (named.length === 1 && document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length === 1) return named[0];
    // Several operations and none picked (or an anonymous one): no name is the honest answer.
    return given;
  }
  if (given) return given;
  if (typeof request.query === 'string') return /(?:^|[\s}])(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]{0,63})/.exec(request.query.slice(0, 4096))?.[1];
  return undefined;
}

/** The distinct extensions.code of an answer's errors, in order: what the log line and the rejection counter carry. */
function codesOf(errors: readonly { extensions?: Record<string, unknown> | undefined }[] | undefined): string[] {
  return [...new Set((errors ?? []).map((e) => String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR)))];
}

/**
 * What every GraphQL request goes through besides execution: the operation guard (introspection per
 * viewer, the cost limit and the cost budget: the same as over WebSocket), at most MAX_ERRORS errors,
 * the access log, metrics and one structured log line (never a token or a value).
 */
export function requestPlugin(deps: { config: Config; logger: Logger; accessLog: AccessLogWriter; metrics: Metrics; guard: OperationGuard }): ApolloServerPlugin<RequestContext> {
  const { config, logger, accessLog, metrics, guard } = deps;
  const production = config.NODE_ENV === 'production';
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let cost = 0;
      return {
        async didResolveOperation({ document, request, operationName }) {
          cost = await guard.admitOperation(contextValue, { document, variables: request.variables ?? {}, operationName: operationName ?? undefined });
        },
        async willSendResponse({ response, request, operationName, errors, document }) {
          const access = contextValue.access;
          if (!access.empty) accessLog.append(access.toEntry(contextValue.viewer, operationName ?? null, request.query ?? null));
          if (access.deniedFields.size > 0) metrics.denials.inc(access.deniedFields.size);
          if (!production) response.http.headers.set('x-sql-statements', String(contextValue.statements.count));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = operationLabel(operationName ?? requestedOperationName(request, document));
          // rejected: nothing executed (limits, validation, rate limit); error: executed, with errors.
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          // 300 unknown fields would otherwise come back as 101 errors (graphql-js stops at 100). Only an
          // answer without data is capped: beside data, each FORBIDDEN error's path tells the client which
          // null is a refusal, and their number is bounded by the (cost-limited) data itself.
          if (result?.errors && result.data == null) result.errors = guard.capErrors(result.errors);
          const outcome = result && result.data == null && (result.errors?.length || errors?.length) ? 'rejected' : result?.errors?.length ? 'error' : 'ok';
          const codes = codesOf(result?.errors ?? errors);
          metrics.requests.inc({ operation, outcome });
          metrics.duration.observe({ operation }, seconds);
          if (outcome === 'rejected') for (const code of codes) metrics.rejections.inc({ endpoint: 'graphql', operation, code });
          logger.info(
            {
              requestId: contextValue.requestId,
              operation,
              outcome,
              ...(codes.length > 0 ? { codes } : {}),
              durationMs: Math.round(seconds * 1000),
              organization: contextValue.viewer.kind === 'member' ? contextValue.viewer.organizationId : null,
              cost,
              statements: contextValue.statements.count,
            },
            'graphql request',
          );
        },
      };
    },
  };
}

/**
 * A request refused while its context was built, before Apollo's request pipeline (and so the plugin
 * above) ever sees it: a bad token (401 UNAUTHENTICATED), the rate limit, the database away. Logged and
 * counted like any other rejection, with its code and the operation it names.
 */
export function contextRejection(deps: { logger: Logger; metrics: Metrics }) {
  return (request: { requestId: string; body: unknown; started: bigint }, error: unknown): void => {
    const code =
      error instanceof GraphQLError && typeof error.extensions.code === 'string'
        ? error.extensions.code
        : databaseUnavailable(error)
          ? ErrorCode.SERVICE_UNAVAILABLE
          : ErrorCode.INTERNAL_SERVER_ERROR;
    const body = (Array.isArray(request.body) ? request.body[0] : request.body) as { operationName?: unknown; query?: unknown } | undefined;
    const operation = operationLabel(body && typeof body === 'object' ? requestedOperationName(body) : undefined);
    const seconds = Number(process.hrtime.bigint() - request.started) / 1e9;
    deps.metrics.requests.inc({ operation, outcome: 'rejected' });
    deps.metrics.duration.observe({ operation }, seconds);
    deps.metrics.rejections.inc({ endpoint: 'graphql', operation, code });
    deps.logger.info({ requestId: request.requestId, operation, outcome: 'rejected', codes: [code], durationMs: Math.round(seconds * 1000), organization: null }, 'graphql request');
  };
}
