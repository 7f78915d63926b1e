import { Router } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface GraphiqlDeps {
  config: Config;
  logger: Logger;
}

/** The self-hosted GraphiQL page (/graphiql, and GET /graphql for browsers) and its assets (being written). */
export function graphiqlRouter(_deps: GraphiqlDeps): Router {
  return Router();
}
