import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GraphQLError } from 'graphql';
import type { Viewer } from '../auth/viewer.js';
import { ErrorCode } from '../errors.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { rateLimits } from '../db/schema/rate-limits.js';


/** The budget a caller draws from: its organization, or its address when anonymous. */
export function rateLimitKey(viewer: Viewer, ip: string | undefined): string {
  return viewer.kind === 'member' ? `org:${viewer.organizationId}` : `ip:${ip ?? 'unknown'}`;
}

export interface RateLimits {
  /** One request; throws RATE_LIMITED (HTTP 429 with Retry-After) when the minute's budget is spent. */
  request(key: string): Promise<void>;
  /** The operation's cost, after it is computed. */
  cost(key: string, points: number): Promise<void>;
}

function tooMany(limit: string, res: unknown): GraphQLError {
  const seconds = res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 60;
  return new GraphQLError(`Rate limit exceeded: ${limit}. Retry after ${seconds} s.`, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds, http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) } },
  });
}

/**
 * Per-organization limits of requests and of query cost per minute. On PostgreSQL the counters live in
 * the database (table rate_limits), shared by every API process; the embedded database runs one process,
 * so counters stay in memory there. A failing store falls back to in-memory counting.
 */
export function createRateLimits(config: Config, database: Database, onReject?: (kind: 'requests' | 'cost') => void): RateLimits {
  const make = (points: number, prefix: string): RateLimiterAbstract | undefined => {
    if (points <= 0) return undefined;
    const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: prefix });
    if (database.kind !== 'postgres') return memory;
    return new RateLimiterDrizzle({ storeClient: database.db, schema: rateLimits, points, duration: 60, keyPrefix: prefix, insuranceLimiter: memory });
  };
  const requests = make(config.RATE_LIMIT_REQUESTS_PER_MIN, 'req');
  const cost = make(config.RATE_LIMIT_COST_PER_MIN, 'cost');
  const consume = async (limiter: RateLimiterAbstract | undefined, key: string, points: number, kind: 'requests' | 'cost', limit: string) => {
    if (!limiter || points <= 0) return;
    try {
      await limiter.consume(key, points);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      onReject?.(kind);
      throw tooMany(limit, res);
    }
  };
  return {
    request: (key) => consume(requests, key, 1, 'requests', `${config.RATE_LIMIT_REQUESTS_PER_MIN} requests per minute`),
    cost: (key, points) => consume(cost, key, points, 'cost', `a query cost of ${config.RATE_LIMIT_COST_PER_MIN} per minute`),
  };
}
