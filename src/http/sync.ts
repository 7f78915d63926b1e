import { Router, type Request, type RequestHandler, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { authenticate } from '../auth/authenticate.js';
import { instanceDocument, type InstanceIdentity } from '../auth/instance-identity.js';
import { InstanceTokenError, isInstanceToken, verifyInstanceToken, type PeerViewer } from '../auth/instance-token.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Database } from '../db/database.js';
import { ApiError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_PULL_LIMIT, PullForbidden, pullChanges } from '../sync/pull.js';
import type { RateLimits } from './rate-limit.js';

export interface SyncDeps {
  database: Database;
  identity: InstanceIdentity;
  verifyToken: TokenVerifier;
  logger: Logger;
  /** The request deadline (REQUEST_TIMEOUT_MS) of the sync endpoints. */
  deadline: RequestHandler;
  rateLimits: RateLimits;
}

const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/** Refused: 400 (a bad argument), 401 (no credential, or a bad instance token), 403 (a person's token, a peer that may not do this) or 429 (too many calls from one address), with a message for the caller. */
class SyncRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 429,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * The peer a sync request comes from. Only an instance token (instance-token.ts) passes: none is 401; a
 * person's token is 403 even when valid (sync is instance-to-instance, never a person's session).
 */
async function peerOf(deps: SyncDeps, req: Request): Promise<PeerViewer> {
  // Before any token is checked: each check reads the database, and the caller is not known yet.
  try {
    await deps.rateLimits.request(`sync:ip:${req.ip ?? 'unknown'}`);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.RATE_LIMITED) {
      throw new SyncRefusal(429, error.message, Number(error.extensions.retryAfterSeconds));
    }
    throw error;
  }
  const header = req.headers.authorization;
  const token = header ? /^Bearer ([A-Za-z0-9_\-.=]{1,8192})$/i.exec(header.trim())?.[1] : undefined;
  if (!header) throw new SyncRefusal(401, 'the sync endpoints need an instance token (Authorization: Bearer <token signed by the calling instance>)');
  if (token !== undefined && isInstanceToken(token)) {
    try {
      return await verifyInstanceToken(deps.database.db, deps.identity.id, token);
    } catch (error) {
      if (error instanceof InstanceTokenError) throw new SyncRefusal(401, error.message);
      throw error;
    }
  }
  try {
    await authenticate(deps.database.db, deps.verifyToken, header, deps.database.reference);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) throw new SyncRefusal(401, 'invalid token');
    throw error;
  }
  throw new SyncRefusal(403, "a person's token cannot call the sync endpoints: they take an instance token (typ ctewn-instance+jwt) signed by a registered peer");
}

function refuse(deps: SyncDeps, res: Response, error: unknown): void {
  if (error instanceof SyncRefusal) {
    deps.logger.info({ status: error.status, reason: error.message }, 'sync request refused');
    if (error.status === 401) res.setHeader('www-authenticate', 'Bearer');
    if (error.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(error.retryAfterSeconds));
    const code = { 400: ErrorCode.BAD_USER_INPUT, 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN, 429: ErrorCode.RATE_LIMITED }[error.status];
    res.status(error.status).json(errorBody(error.message, code));
    return;
  }
  deps.logger.error({ err: error }, 'sync request failed');
  res.status(500).json(errorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
}

/** `?after=<cursor>&limit=<1..1000>`: a query value given once, or a refusal naming it. */
function pullArguments(req: Request): { after: string | null; limit: number } {
  const one = (name: string) => {
    const value = req.query[name];
    if (value !== undefined && typeof value !== 'string') throw new SyncRefusal(400, `${name}: give it once`);
    return value;
  };
  const after = one('after');
  const limit = one('limit');
  if (limit !== undefined && !/^\d{1,4}$/.test(limit)) throw new SyncRefusal(400, 'limit must be 1 to 1000');
  return { after: after || null, limit: limit === undefined ? DEFAULT_PULL_LIMIT : Number(limit) };
}

/**
 * Issue 17: this instance's public identity, and the sync endpoints peers call: `hello` (who we are, who
 * the caller is) and `changes`, the pages of our change feed a pulling peer reads (src/sync/pull.ts).
 */
export function syncRouter(deps: SyncDeps): Router {
  const router = Router();
  // Public on purpose: a peer's administrator fetches it to register this instance (its public keys only).
  router.get('/.well-known/ctewn-instance.json', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(instanceDocument(deps.identity));
  });
  router.get('/sync/v1/hello', deps.deadline, async (req, res) => {
    try {
      const peer = await peerOf(deps, req);
      res.json({ instance: deps.identity.id, peer: peer.peerId });
    } catch (error) {
      refuse(deps, res, error);
    }
  });
  router.get('/sync/v1/changes', deps.deadline, async (req, res) => {
    try {
      const peer = await peerOf(deps, req);
      const { after, limit } = pullArguments(req);
      res.setHeader('cache-control', 'no-store');
      res.json(await pullChanges(deps.database.db, deps.identity.id, peer, after, limit));
    } catch (error) {
      if (error instanceof PullForbidden) refuse(deps, res, new SyncRefusal(403, error.message));
      else if (error instanceof ApiError && error.extensions.code === ErrorCode.BAD_USER_INPUT) refuse(deps, res, new SyncRefusal(400, error.message));
      else refuse(deps, res, error);
    }
  });
  return router;
}
