import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, OperationTypeNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { WebSocketServer } from 'ws';
import type { AlertBus } from '../alerts/bus.js';
import { AccessRecord, type AccessLogWriter } from '../auth/access-log.js';
import { authenticate } from '../auth/authenticate.js';
import { createContext, type Context } from '../auth/context.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { ApiError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Caller, OperationGuard } from './operation-guard.js';
import { operationLabel, type Metrics } from './observability.js';
import { rateLimited } from './rate-limit.js';

export interface SubscriptionDeps {
  config: Config;
  httpServer: Server;
  schema: GraphQLSchema;
  database: Database;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  alertBus: AlertBus;
  logger: Logger;
  guard: OperationGuard;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Refused connections and operations are counted like HTTP's (ctewn_rejections_total, endpoint websocket). */
  metrics?: Pick<Metrics, 'rejections'>;
}

/** The token in `connectionParams`: `authorization` ("Bearer …") or `token` (the bare JWT). */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization ?? (params?.token ? `Bearer ${String(params.token)}` : undefined);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Close codes of a refused connection, in the graphql-ws range. 4401 and 4400 are among the codes its
 * client treats as fatal (no reconnection loop with a token that will not get better); 1013 is retried.
 */
export const WsClose = {
  INVALID_TOKEN: { code: 4401, reason: 'invalid token', error: ErrorCode.UNAUTHENTICATED },
  TWO_TOKENS: { code: 4400, reason: 'two different tokens (Authorization header and connectionParams): send one', error: ErrorCode.BAD_REQUEST },
  INSTANCE_TOKEN: { code: 4403, reason: 'an instance token is accepted by the sync endpoints only', error: ErrorCode.FORBIDDEN },
  UNAVAILABLE: { code: 1013, reason: 'service unavailable: retry shortly', error: ErrorCode.SERVICE_UNAVAILABLE },
} as const;

type Refusal = (typeof WsClose)[keyof typeof WsClose];

/**
 * The token of a connection. Browsers cannot set WebSocket headers, so clients put it in
 * connectionParams; server-side clients (ws, a gateway) often send the upgrade request's Authorization
 * header instead, and that is read too, with the same verification, rather than ignored (which made a
 * member's connection silently anonymous). Both, naming different tokens, is refused: choosing one
 * would let whichever the server prefers decide who the caller is.
 */
function tokenOf(params: Record<string, unknown> | undefined, header: string | undefined): string | undefined | Refusal {
  const fromParams = authorizationOf(params);
  if (fromParams !== undefined && header !== undefined && fromParams.trim() !== header.trim()) return WsClose.TWO_TOKENS;
  return fromParams ?? header;
}

/**
 * Queries and mutations have POST /graphql, with its deadline, batching rule and status codes; a
 * socket that ran them too would be a second door to keep in step. Subscriptions only.
 */
const SERVED = [OperationTypeNode.SUBSCRIPTION] as const;

/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the same path as HTTP, /graphql. A
 * connection authenticates once, with the same JWT rules as HTTP, from connectionParams or the upgrade
 * request's Authorization header (a bad token closes it with 4401 "invalid token", never anonymous).
 * Every operation passes the same guard as an HTTP request (operation-guard.ts: document length, token
 * limit, validation limits, introspection and `_service`, cost, the organization's request and cost
 * budgets) plus WS_OPERATIONS_PER_MIN per connection, and its errors are masked by the same formatError.
 * Every event is executed against the field policy and the row rule for that subscriber, and what it
 * returns is written to the access log like any request.
 */
export function attachSubscriptions({ config, httpServer, schema, database, verifyToken, accessLog, alertBus, logger, guard, formatError, metrics }: SubscriptionDeps) {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const callers = new WeakMap<object, Caller & { connection: string }>();
  const perConnection = config.WS_OPERATIONS_PER_MIN > 0 ? new RateLimiterMemory({ points: config.WS_OPERATIONS_PER_MIN, duration: 60, keyPrefix: 'ws-op' }) : undefined;
  let connections = 0;

  /**
   * Apollo's part for HTTP: formatError on every error, `http` hints dropped, and (as over HTTP) at most
   * MAX_ERRORS when there is no data beside them.
   */
  const toClient = (errors: readonly GraphQLError[], withData = false) => {
    const formatted = errors.map((error) => {
      const shown = formatError(error.toJSON(), error);
      const { http: _http, ...extensions } = shown.extensions ?? {};
      return { ...shown, extensions };
    });
    return withData ? formatted : guard.capErrors(formatted);
  };

  const admitConnectionOperation = async (connection: string) => {
    if (!perConnection) return;
    try {
      await perConnection.consume(connection);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw rateLimited(`${config.WS_OPERATIONS_PER_MIN} operations per minute on one connection`, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    }
  };

  const server = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        // graphql-ws would close a refused connection with 4403 "Forbidden"; closing first says why
        // (its own close then finds the socket closing and does nothing).
        const refuse = ({ code, reason, error }: Refusal) => {
          logger.info({ outcome: 'rejected', codes: [error], close: code }, 'websocket connection refused');
          metrics?.rejections.inc({ endpoint: 'websocket', operation: 'anonymous', code: error });
          socket.close(code, reason);
          return false;
        };
        const token = tokenOf(ctx.connectionParams, request.headers.authorization);
        if (typeof token === 'object') return refuse(token);
        try {
          const viewer: Viewer = await authenticate(database.counted({ count: 0 }), verifyToken, token, database.reference);
          callers.set(socket, { viewer, ip: request.socket.remoteAddress, introspectionAllowed: guard.introspectionAllowed(viewer), connection: String((connections += 1)) });
          return true;
        } catch (error) {
          if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) return refuse(WsClose.INVALID_TOKEN);
          if (error instanceof GraphQLError && error.extensions.code === ErrorCode.FORBIDDEN) return refuse(WsClose.INSTANCE_TOKEN);
          // Past the token, only the reference snapshot (the database) can fail: a retry may succeed.
          logger.error({ err: error }, 'subscription connection could not be authenticated');
          return refuse(WsClose.UNAVAILABLE);
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const caller = callers.get(ctx.extra.socket);
        if (!caller) return [new ApiError(ErrorCode.UNAUTHENTICATED, 'Connection not authenticated')];
        // graphql-ws has already reserved this id in ctx.subscriptions, so the count includes it. Each open
        // subscription is executed again for every alert it receives: without a cap, one socket would
        // multiply the work of each alert by WS_OPERATIONS_PER_MIN × minutes connected.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > config.WS_SUBSCRIPTIONS_PER_CONNECTION) {
          return [new ApiError(ErrorCode.BAD_REQUEST, `At most ${config.WS_SUBSCRIPTIONS_PER_CONNECTION} subscriptions may be open on one connection; complete one, or open another connection`, { limit: config.WS_SUBSCRIPTIONS_PER_CONNECTION })];
        }
        try {
          await admitConnectionOperation(caller.connection);
          await guard.admitRequest(caller);
          const prepared = guard.prepare(payload, SERVED);
          if (Array.isArray(prepared)) return prepared;
          const variables = payload.variables ?? {};
          await guard.admitOperation(caller, { document: prepared.document, variables, operationName: payload.operationName ?? undefined });
          return {
            schema,
            document: prepared.document,
            variableValues: variables,
            operationName: payload.operationName ?? null,
            // A handle per operation, as an HTTP request has one (with REFERENCE_CACHE_TTL_MS=0, its snapshot is per handle).
            contextValue: {
              ...createContext(database.counted({ count: 0 }), caller.viewer, undefined, database.reference, alertBus),
              introspectionAllowed: caller.introspectionAllowed,
            },
          };
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      onNext: (_ctx, _id, payload, args, result) => {
        const context = args.contextValue as Context;
        if (!context.access.empty) {
          accessLog.append(context.access.toEntry(context.viewer, getOperationAST(args.document, args.operationName)?.name?.value ?? null, payload.query));
          context.access = new AccessRecord();
        }
        return result.errors ? { ...result, errors: toClient(result.errors, result.data != null) } : undefined;
      },
      onError: (_ctx, _id, payload, errors) => {
        const operation = operationLabel(payload.operationName ?? undefined);
        const codes = [...new Set(errors.map((e) => e.extensions?.code))];
        logger.info({ outcome: 'rejected', operation, codes, errors: errors.length }, 'subscription operation refused');
        for (const code of codes) metrics?.rejections.inc({ endpoint: 'websocket', operation, code });
        return toClient(errors);
      },
    },
    wss,
  );
  return {
    get connections() {
      return wss.clients.size;
    },
    close: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
