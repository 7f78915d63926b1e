import type { ApolloServerPlugin } from '@apollo/server';
import type { AccessLogWriter } from '../auth/access-log.js';
import type { Context } from '../auth/context.js';
import type { Config } from '../config.js';
import type { StatementCounter } from '../db/database.js';
import type { Logger } from '../logger.js';
import { operationLabel, type Metrics } from './observability.js';
import type { OperationGuard } from './operation-guard.js';

export type RequestContext = Context & {
  statements: StatementCounter;
  requestId: string;
  ip: string | undefined;
  introspectionAllowed: boolean;
};

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
        async willSendResponse({ response, request, operationName, errors }) {
          const access = contextValue.access;
          if (!access.empty) accessLog.append(access.toEntry(contextValue.viewer, operationName ?? null, request.query ?? null));
          if (access.deniedFields.size > 0) metrics.denials.inc(access.deniedFields.size);
          if (!production) response.http.headers.set('x-sql-statements', String(contextValue.statements.count));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = operationLabel(operationName);
          // rejected: nothing executed (limits, validation, rate limit); error: executed, with errors.
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          // 300 unknown fields would otherwise come back as 101 errors (graphql-js stops at 100). Only an
          // answer without data is capped: beside data, each FORBIDDEN error's path tells the client which
          // null is a refusal, and their number is bounded by the (cost-limited) data itself.
          if (result?.errors && result.data == null) result.errors = guard.capErrors(result.errors);
          const outcome = result && result.data == null && (result.errors?.length || errors?.length) ? 'rejected' : result?.errors?.length ? 'error' : 'ok';
          metrics.requests.inc({ operation, outcome });
          metrics.duration.observe({ operation }, seconds);
          logger.info(
            {
              requestId: contextValue.requestId,
              operation,
              outcome,
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
