import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { createContext, type Context } from '../auth/context.js';
import type { AccessLogWriter } from '../auth/access-log.js';
import { authenticate } from '../auth/authenticate.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Config } from '../config.js';
import { countStatements, type Database, type StatementCounter } from '../db/database.js';
import type { Logger } from '../logger.js';
import { exportRouter } from './export.js';
import { graphiqlRouter } from './graphiql.js';
import { attachSubscriptions } from './subscriptions.js';
import type { AlertBus } from '../alerts/bus.js';
import { createFormatError } from './format-error.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  schema: GraphQLSchema;
  logger: Logger;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  alertBus: AlertBus;
}

export interface RunningServer {
  httpServer: Server;
  /** The bound port (useful when PORT=0). */
  port: number;
  stop(): Promise<void>;
}

type RequestContext = Context & { statements: StatementCounter };

export async function startServer({ config, database, schema, logger, verifyToken, accessLog, alertBus }: ServerDeps): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const production = config.NODE_ENV === 'production';

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    // "Did you mean …?" would name fields and types to anyone probing; developers have the docs instead.
    hideSchemaDetailsFromClientErrors: production,
    introspection: true,
    // main.ts owns shutdown (drain, flush, close the database); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Nothing may leave the machine: no CDN landing page, no usage or schema reporting.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response, request, operationName }) {
              if (!contextValue.access.empty) {
                accessLog.append(contextValue.access.toEntry(contextValue.viewer, operationName ?? null, request.query ?? null));
              }
              if (!production) response.http.headers.set('x-sql-statements', String(contextValue.statements.count));
            },
          };
        },
      },
    ],
  });
  const subscriptions = attachSubscriptions({ httpServer, schema, database, verifyToken, accessLog, alertBus, logger });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await database.ping();
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use('/export', exportRouter({ database, verifyToken, accessLog, logger }));
  // Before /graphql: a browser's GET /graphql (Accept: text/html) gets the GraphiQL page.
  app.use(graphiqlRouter({ config, logger }));

  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    (_req, res, next) => {
      const counter: StatementCounter = { count: 0 };
      res.locals.statements = counter;
      countStatements(counter, next);
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const viewer = await authenticate(database.db, verifyToken, req.headers.authorization);
        return {
          ...createContext(database.db, viewer, req.headers['accept-language'], alertBus),
          statements: res.locals.statements as StatementCounter,
        };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, database: database.kind }, 'CT-EWN Graph listening');

  return {
    httpServer,
    port,
    // Closes subscriptions, then drains in-flight requests (the drain plugin closes the listener first).
    stop: async () => {
      await subscriptions.close();
      await apollo.stop();
    },
  };
}
