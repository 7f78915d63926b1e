import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { devTokenTtlSeconds, signDevToken } from '../../auth/dev-keys.js';
import { ROLES, type Role } from '../../auth/viewer.js';
import type { Config } from '../../config.js';
import { usesDevelopmentKeys } from '../../config.js';
import type { Logger } from '../../logger.js';

export const DEV_TOKEN_PATH = '/dev/token';

/** Development only: no identity provider configured and not production. Elsewhere the route does not exist. */
export function devTokensEnabled(config: Config): boolean {
  return usesDevelopmentKeys(config) && config.NODE_ENV !== 'production';
}

const ORG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SUB = /^[A-Za-z0-9:._@-]{1,200}$/;

interface Refusal {
  error: string;
}

function parseRequest(body: unknown): { org: string; roles: Role[]; sub?: string } | Refusal {
  if (typeof body !== 'object' || body === null) return { error: 'send JSON: {"org": "<organization id>", "roles": ["analyst"]}' };
  const { org, roles, sub } = body as Record<string, unknown>;
  if (typeof org !== 'string' || !ORG.test(org)) return { error: 'org must be an organization id such as "unodc"' };
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > ROLES.length) return { error: `roles must be a list of ${ROLES.join(', ')}` };
  const unknown = roles.filter((r) => typeof r !== 'string' || !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) return { error: `unknown role(s): ${unknown.map(String).join(', ')}; roles are ${ROLES.join(', ')}` };
  if (sub !== undefined && (typeof sub !== 'string' || !SUB.test(sub))) return { error: 'sub must be 1 to 200 letters, digits or :._@-' };
  return { org, roles: [...new Set(roles as Role[])], ...(typeof sub === 'string' ? { sub } : {}) };
}

/**
 * POST /dev/token {org, roles, sub?} → {token, expiresIn}: the persona picker's tokens, signed with the
 * development key exactly like `npm run token`. The API still checks the organization (an unknown one is
 * refused when the token is used). Only JSON bodies are read, so a cross-site form cannot post here, and
 * no CORS header is sent, so another origin cannot read a token.
 */
export function devTokenRouter(config: Config, logger: Logger): Router {
  const router = Router();
  router.post(DEV_TOKEN_PATH, express.json({ limit: '4kb' }), async (req, res) => {
    res.set('cache-control', 'no-store');
    const parsed = parseRequest(req.is('application/json') ? req.body : undefined);
    if ('error' in parsed) {
      res.status(400).json(parsed);
      return;
    }
    try {
      // The same lifetime as `npm run token`: 8 hours, or less if the server's token limits are shorter.
      const ttlSeconds = devTokenTtlSeconds(config);
      const token = await signDevToken(config.DATA_DIR, { ...parsed, ttlSeconds });
      res.json({ token, expiresIn: ttlSeconds });
    } catch (error) {
      logger.error({ err: error }, 'development token could not be signed');
      res.status(500).json({ error: 'the development key could not be read' });
    }
  });
  // A body that is not JSON gets an answer in JSON, not Express's default page.
  router.use(DEV_TOKEN_PATH, (_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(400).json({ error: 'the body is not valid JSON' });
  });
  return router;
}
