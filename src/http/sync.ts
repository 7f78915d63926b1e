import { Router, type Request, type RequestHandler, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { authenticate } from '../auth/authenticate.js';
import { instanceDocument, type InstanceIdentity } from '../auth/instance-identity.js';
import { InstanceTokenError, isInstanceToken, verifyInstanceToken, type PeerViewer } from '../auth/instance-token.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Database } from '../db/database.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
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

/** Refused: 401 (no credential, or a bad instance token), 403 (a person's token) or 429 (too many calls from one address), with a message for the caller. */
class SyncRefusal extends Error {
  constructor(
    readonly status: 401 | 403 | 429,
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
    const code = { 401: ErrorCode.UNAUTHENTICATED, 403: ErrorCode.FORBIDDEN, 429: ErrorCode.RATE_LIMITED }[error.status];
    res.status(error.status).json(errorBody(error.message, code));
    return;
  }
  deps.logger.error({ err: error }, 'sync request failed');
  res.status(500).json(errorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
}

/**
 * Issue 17: this instance's public identity, and the sync endpoints peers call. For now one: `hello`,
 * which answers who we are and who the caller is, so the instance-token path is real end to end.
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
  return router;
}
