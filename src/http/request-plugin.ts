import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { AccessLogWriter } from '../auth/access-log.js';
import type { Context } from '../auth/context.js';
import type { Config } from '../config.js';
import type { StatementCounter } from '../db/database.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { operationCost } from './limits.js';
import { operationLabel, type Metrics } from './observability.js';
import { rateLimitKey, type RateLimits } from './rate-limit.js';

export type RequestContext = Context & {
  statements: StatementCounter;
  requestId: string;
  ip: string | undefined;
  introspectionAllowed: boolean;
};


function usesIntrospection(document: DocumentNode): boolean {
  const visit = (set: SelectionSetNode | undefined, fragments: Set<string>): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === '__schema' || s.name.value === '__type';
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, fragments);
      if (fragments.has(s.name.value)) return false;
      fragments.add(s.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      return fragment?.kind === Kind.FRAGMENT_DEFINITION && visit(fragment.selectionSet, fragments);
    });
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && visit(d.selectionSet, new Set()));
}

/**
 * What every GraphQL request goes through besides execution: introspection per viewer, the cost limit
 * and the cost budget, the access log, metrics and one structured log line (never a token or a value).
 */
export function requestPlugin(deps: { config: Config; schema: GraphQLSchema; logger: Logger; accessLog: AccessLogWriter; metrics: Metrics; rateLimits: RateLimits }): ApolloServerPlugin<RequestContext> {
  const { config, schema, logger, accessLog, metrics, rateLimits } = deps;
  const production = config.NODE_ENV === 'production';
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let cost = 0;
      return {
        async didResolveOperation({ document, request, operationName }) {
          if (usesIntrospection(document) && !contextValue.introspectionAllowed) {
            throw new GraphQLError('Introspection is not available to this caller', { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } });
          }
          cost = operationCost(schema, document, request.variables ?? {}, operationName ?? undefined);
          if (cost > config.MAX_COST) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${config.MAX_COST}; ask for smaller pages (first) or fewer nested lists`, {
              extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, cost, limit: config.MAX_COST, http: { status: 400 } },
            });
          }
          await rateLimits.cost(rateLimitKey(contextValue.viewer, contextValue.ip), cost);
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
