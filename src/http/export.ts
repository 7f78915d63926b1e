import { Router } from 'express';
import type { AccessLogWriter } from '../auth/access-log.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface ExportDeps {
  database: Database;
  verifyToken: TokenVerifier;
  accessLog: AccessLogWriter;
  logger: Logger;
}

/** GET /export/reports.csv|.ndjson and /export/observations.csv|.ndjson (being written). */
export function exportRouter(_deps: ExportDeps): Router {
  return Router();
}
