import type { Server } from 'node:http';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AlertBus } from '../alerts/bus.js';
import { AccessRecord, type AccessLogWriter } from '../auth/access-log.js';
import { authenticate } from '../auth/authenticate.js';
import { createContext, type Context } from '../auth/context.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface SubscriptionDeps {
  httpServer: Server;
  schema: GraphQLSchema;
  database: Database;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  alertBus: AlertBus;
  logger: Logger;
}

/** The token of a connection: `connectionParams.authorization` ("Bearer …") or `connectionParams.token`. */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization ?? (params?.token ? `Bearer ${String(params.token)}` : undefined);
  return typeof value === 'string' ? value : undefined;
}

/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the same path as HTTP, /graphql. A
 * connection authenticates once, with the same JWT rules as HTTP (a bad token closes it with 4403);
 * every event is executed against the field policy and the row rule for that subscriber, and what it
 * returns is written to the access log like any request.
 */
export function attachSubscriptions({ httpServer, schema, database, verifyToken, accessLog, alertBus, logger }: SubscriptionDeps) {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const viewers = new WeakMap<object, Viewer>();
  const server = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          viewers.set(ctx.extra.socket, await authenticate(database.counted({ count: 0 }), verifyToken, authorizationOf(ctx.connectionParams), database.reference));
          return true;
        } catch {
          return false;
        }
      },
      // A handle per operation, as an HTTP request has one (with REFERENCE_CACHE_TTL_MS=0, its snapshot is per handle).
      context: (ctx) => createContext(database.counted({ count: 0 }), viewers.get(ctx.extra.socket) ?? { kind: 'anonymous' }, undefined, database.reference, alertBus),
      onNext: (_ctx, _id, payload, args) => {
        const context = args.contextValue as Context;
        if (!context.access.empty) {
          const operationName = getOperationAST(args.document, args.operationName)?.name?.value ?? null;
          accessLog.append(context.access.toEntry(context.viewer, operationName, payload.query));
          context.access = new AccessRecord();
        }
      },
      onError: (_ctx, _id, _payload, errors) => {
        logger.warn({ errors: errors.map((e) => e.message) }, 'subscription error');
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
