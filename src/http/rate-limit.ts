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

export type RateLimitKind = 'requests' | 'cost' | 'export-requests' | 'export-rows';

/** What an export may send now: `granted` of the rows asked for, and when the budget refills. */
export interface RowGrant {
  granted: number;
  retryAfterSeconds: number;
}

export interface RateLimits {
  /** One request; throws RATE_LIMITED (HTTP 429 with Retry-After) when the minute's budget is spent. */
  request(key: string): Promise<void>;
  /** The operation's cost, after it is computed. */
  cost(key: string, points: number): Promise<void>;
  /** One export request (EXPORT_REQUESTS_PER_MIN); throws RATE_LIMITED like `request`. */
  exportRequest(key: string): Promise<void>;
  /**
   * Draws `rows` from the minute's export row budget (EXPORT_ROWS_PER_MIN) before they are written:
   * 'all' grants every row or throws RATE_LIMITED (an export's first batch: refused whole, nothing sent);
   * 'partial' grants what is left (a stream crossing the budget sends that much, then is cut).
   * Rows not granted are given back, so the minute's counter is exactly the rows sent.
   */
  exportRows(key: string, rows: number, mode: 'all' | 'partial'): Promise<RowGrant>;
}

const secondsUntil = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** RATE_LIMITED, answered 429 with Retry-After (GraphQL and the export routes alike). */
export function rateLimited(limit: string, seconds: number): GraphQLError {
  return new GraphQLError(`Rate limit exceeded: ${limit}. Retry after ${seconds} s.`, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds, http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) } },
  });
}

/**
 * Per-organization limits (anonymous callers: per address) of requests and query cost per minute, and
 * of export requests and exported rows per minute. On PostgreSQL the counters live in the database
 * (table rate_limits), shared by every API process; the embedded database runs one process, so counters
 * stay in memory there. A failing store falls back to in-memory counting.
 */
export function createRateLimits(config: Config, database: Database, onReject?: (kind: RateLimitKind) => void): RateLimits {
  const make = (points: number, prefix: string): RateLimiterAbstract | undefined => {
    if (points <= 0) return undefined;
    const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: prefix });
    if (database.kind !== 'postgres') return memory;
    return new RateLimiterDrizzle({ storeClient: database.db, schema: rateLimits, points, duration: 60, keyPrefix: prefix, insuranceLimiter: memory });
  };
  const requests = make(config.RATE_LIMIT_REQUESTS_PER_MIN, 'req');
  const cost = make(config.RATE_LIMIT_COST_PER_MIN, 'cost');
  const exportRequests = make(config.EXPORT_REQUESTS_PER_MIN, 'export-req');
  const exportRows = make(config.EXPORT_ROWS_PER_MIN, 'export-rows');
  const consume = async (limiter: RateLimiterAbstract | undefined, key: string, points: number, kind: RateLimitKind, limit: string) => {
    if (!limiter || points <= 0) return;
    try {
      await limiter.consume(key, points);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      onReject?.(kind);
      throw rateLimited(limit, secondsUntil(res));
    }
  };
  return {
    request: (key) => consume(requests, key, 1, 'requests', `${config.RATE_LIMIT_REQUESTS_PER_MIN} requests per minute`),
    cost: (key, points) => consume(cost, key, points, 'cost', `a query cost of ${config.RATE_LIMIT_COST_PER_MIN} per minute`),
    exportRequest: (key) => consume(exportRequests, key, 1, 'export-requests', `${config.EXPORT_REQUESTS_PER_MIN} export requests per minute`),
    async exportRows(key, rows, mode) {
      if (!exportRows || rows <= 0) return { granted: rows, retryAfterSeconds: 0 };
      try {
        // The increment is atomic in the store, so concurrent exports of one organization (on any process)
        // draw disjoint shares and never send more than the budget between them.
        const res = await exportRows.consume(key, rows);
        return { granted: rows, retryAfterSeconds: secondsUntil(res) };
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const before = res.consumedPoints - rows;
        const granted = mode === 'all' ? 0 : Math.min(rows, Math.max(0, config.EXPORT_ROWS_PER_MIN - before));
        await exportRows.reward(key, rows - granted).catch(() => undefined);
        onReject?.('export-rows');
        if (mode === 'all') throw rateLimited(`${config.EXPORT_ROWS_PER_MIN} exported rows per minute`, secondsUntil(res));
        return { granted, retryAfterSeconds: secondsUntil(res) };
      }
    },
  };
}
