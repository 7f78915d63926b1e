import { Router, type Request, type Response } from 'express';
import { introspectionPolicy, type Config } from '../config.js';
import type { Logger } from '../logger.js';
import { loadAssets, sendAsset, ASSET_PREFIX } from './graphiql/assets.js';
import { DEV_TOKEN_PATH, devTokenRouter, devTokensEnabled } from './graphiql/dev-token.js';
import { loadExamples, type ExampleOperation } from './graphiql/examples.js';
import { PERSONAS } from './graphiql/personas.js';
import { contentSecurityPolicy, renderPage } from './graphiql/page.js';

export interface GraphiqlDeps {
  config: Config;
  logger: Logger;
}

/**
 * A browser opening the API: GET without a `query` parameter, not a WebSocket upgrade, preferring HTML
 * to JSON. Every API request (POST, GET with a query, JSON or graphql-response Accept, upgrades) goes on to
 * Apollo untouched.
 */
function wantsPage(req: Request): boolean {
  return (
    req.query.query === undefined &&
    req.headers.upgrade === undefined &&
    req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html'
  );
}

/**
 * The self-hosted GraphiQL explorer: the page at /graphiql (and at GET /graphql for browsers), its assets
 * from this server only, and in development the persona picker's token endpoint.
 */
export function graphiqlRouter({ config, logger }: GraphiqlDeps): Router {
  const assets = loadAssets();
  let examples: ExampleOperation[] = [];
  try {
    examples = loadExamples();
  } catch (error) {
    // A broken example file must not stop the API: the page opens without examples (the tests catch it).
    logger.error({ err: error }, 'example operations could not be read; the explorer shows none');
  }
  const development = devTokensEnabled(config);
  const html = renderPage(assets.page, {
    endpoint: '/graphql',
    personas: development ? PERSONAS.map(({ id, label, org, roles, sub }) => ({ id, label, org, roles, ...(sub ? { sub } : {}) })) : null,
    tokenEndpoint: development ? DEV_TOKEN_PATH : null,
    examples,
    introspection: introspectionPolicy(config),
  });

  const router = Router();
  const sendPage = (req: Request, res: Response) => {
    res.set({
      'content-security-policy': contentSecurityPolicy(req.headers.host),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
      vary: 'Accept',
    });
    res.type('html').send(html);
  };

  router.get('/graphiql', sendPage);
  router.get('/graphql', (req, res, next) => (wantsPage(req) ? sendPage(req, res) : next()));
  router.get(`${ASSET_PREFIX}*name`, (req, res, next) => {
    if (!sendAsset(assets, req, res)) next();
  });
  if (development) router.use(devTokenRouter(config, logger));
  return router;
}
