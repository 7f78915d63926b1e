import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** Every environment variable the server reads; README "Configuration" lists the same set. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  // Interface to listen on; default by NODE_ENV (see loadConfig): development's /dev/token must not reach the network.
  HOST: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SEED_SAMPLE_DATA: boolean.default(true),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ALGORITHMS: z
    .string()
    .default('ES256,RS256')
    .transform((v) => v.split(',').map((a) => a.trim()))
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])).min(1)),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(30).default(30),
  AUTH_JWKS_COOLDOWN_S: z.coerce.number().int().min(0).max(3600).default(30),
  // Abuse limits (README "Limits" lists each with its default).
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(2_000_000),
  MAX_TOKENS: z.coerce.number().int().min(20).default(5_000),
  MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  MAX_ALIASES: z.coerce.number().int().min(0).default(20),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).default(10),
  MAX_COST: z.coerce.number().int().min(1).default(25_000),
  MAX_BATCH: z.coerce.number().int().min(0).max(100).default(0),
  RATE_LIMIT_REQUESTS_PER_MIN: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_COST_PER_MIN: z.coerce.number().int().min(0).default(500_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  PG_IDLE_TX_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_000),
  INTROSPECTION: z.enum(['all', 'members', 'off']).optional(),
  // Countries, indicators and organizations, shared by a process's requests (src/db/reference.ts).
  // Benchmark only: serve without the field policy, the row rule and the access log (bench/README.md).
  BENCH_DISABLE_POLICY: boolean.default(false),
  REFERENCE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  // Issue 14 — queries and mutations compiled once per document (graphql-jit), or graphql-js's execute.
  GRAPHQL_EXECUTOR: z.enum(['compiled', 'standard']).default('compiled'),
  // With the compiled executor: lists PostgreSQL can shape as JSON are answered from one statement (src/http/sql-path/).
  GRAPHQL_SQL_PATH: z.enum(['on', 'off']).default('on'),
  // Compiled operations kept per process (least recently used dropped first).
  COMPILED_OPERATIONS_CACHE: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Issue 12 — documents and errors: a document longer than this is refused before parsing; at most
  // MAX_ERRORS errors per response (the rest summarised as "and N more").
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(256).default(100_000),
  MAX_ERRORS: z.coerce.number().int().min(1).max(100).default(10),
  // Issue 12 — WebSocket: operations per connection per minute (the organization's HTTP limits apply too).
  WS_OPERATIONS_PER_MIN: z.coerce.number().int().min(0).default(120),
  // Subscriptions one connection may hold open at once: each is executed again for every alert it receives.
  WS_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(1000).default(20),
  // Issue 12 — exports: rows per organization (anonymous: per address) per minute; 0 = unlimited.
  // 20,000: a member's complete export of the sample (reports ~2,200 + observations ~7,950 rows) fits in one minute.
  EXPORT_ROWS_PER_MIN: z.coerce.number().int().min(0).default(20_000),
  EXPORT_REQUESTS_PER_MIN: z.coerce.number().int().min(0).default(30),
  // Issue 12 — metrics: a bearer token for /metrics, or a port of its own; how many operation names not
  // known (examples, METRICS_OPERATIONS) keep a label of their own, first seen first (issue 13: 0 by default).
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_MAX_OPERATIONS: z.coerce.number().int().min(0).max(10_000).default(0),
  // Issue 13 — metrics: operation names that keep their own label besides the example operations (comma-separated).
  METRICS_OPERATIONS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((name) => name.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'each name must be a GraphQL operation name'))),
  // Tokens: how long the JWKS is trusted before a refetch; maximum token age (default by NODE_ENV, see
  // loadConfig) and lifetime.
  AUTH_JWKS_CACHE_MAX_AGE_S: z.coerce.number().int().min(1).max(3600).default(60),
  AUTH_MAX_TOKEN_AGE_S: z.coerce.number().int().min(60).optional(),
  AUTH_MAX_TOKEN_LIFETIME_S: z.coerce.number().int().min(60).default(86_400),
  // Observations for periods after the current one (UTC): 0 refuses them (a typo such as 2036 raises real alerts); N allows forecasts N periods ahead.
  // A value recorded longer than this after its period ended is back-filled history: its alerts are kept, marked historical, never notified.
  ALERT_BACKFILL_HORIZON_DAYS: z.coerce.number().int().min(0).max(36_500).default(120),
  MAX_FUTURE_PERIODS: z.union([z.literal('unlimited').transform(() => Number.POSITIVE_INFINITY), z.coerce.number().int().min(0)]).default(0),
  // Issue 17 — this instance's name among the network's instances (the `iss` of its instance tokens, the
  // `aud` it accepts) and the file of its signing key (default DATA_DIR/instance-signing-key.json).
  INSTANCE_ID: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes (at most 64), e.g. hub or kaz').default('hub'),
  INSTANCE_KEY_FILE: z.string().min(1).optional(),
  // Issue 17 — the pull client's period (src/sync/pull-loop.ts): every N seconds, a pass for each peer we
  // pull from whose back-off has run out; 0 (the default) runs none (then `npm run peers -- pull`).
  SYNC_PULL_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(0),
});

/** The parsed variables, with the defaults that depend on NODE_ENV resolved. */
export type Config = Omit<z.infer<typeof schema>, 'AUTH_MAX_TOKEN_AGE_S' | 'HOST'> & { AUTH_MAX_TOKEN_AGE_S: number; HOST: string };

export class ConfigError extends Error {}

/** Parsed once at start-up; a bad value stops the server with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // A production token is refused an hour after it was issued, whatever its exp (an identity provider's
  // access tokens live minutes); development keeps the 8-hour tokens of `npm run token` usable.
  // Development and test hand out tokens at /dev/token to anyone who asks: loopback only unless HOST says otherwise.
  const config: Config = {
    ...parsed.data,
    AUTH_MAX_TOKEN_AGE_S: parsed.data.AUTH_MAX_TOKEN_AGE_S ?? (parsed.data.NODE_ENV === 'production' ? 3600 : 8 * 3600),
    HOST: parsed.data.HOST ?? (parsed.data.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
  };
  const keySources = [config.AUTH_JWKS_URL, config.AUTH_JWKS_FILE].filter(Boolean).length;
  const anyAuth = keySources > 0 || config.AUTH_ISSUER || config.AUTH_AUDIENCE;
  const problems: string[] = [];
  if (keySources > 1) problems.push('  AUTH_JWKS_URL and AUTH_JWKS_FILE: set one, not both');
  if (anyAuth && keySources === 0) problems.push('  AUTH_JWKS_URL or AUTH_JWKS_FILE: required when AUTH_ISSUER/AUTH_AUDIENCE are set');
  if (anyAuth && !config.AUTH_ISSUER) problems.push('  AUTH_ISSUER: required with a JWKS');
  if (anyAuth && !config.AUTH_AUDIENCE) problems.push('  AUTH_AUDIENCE: required with a JWKS');
  if (!anyAuth && config.NODE_ENV === 'production') {
    problems.push('  AUTH_*: production needs a real identity provider (AUTH_JWKS_URL or AUTH_JWKS_FILE, AUTH_ISSUER, AUTH_AUDIENCE); the development signing key is refused');
  }
  if (config.PG_STATEMENT_TIMEOUT_MS >= config.REQUEST_TIMEOUT_MS || config.PG_IDLE_TX_TIMEOUT_MS >= config.REQUEST_TIMEOUT_MS) {
    problems.push('  PG_STATEMENT_TIMEOUT_MS and PG_IDLE_TX_TIMEOUT_MS: must be below REQUEST_TIMEOUT_MS');
  }
  if (config.BENCH_DISABLE_POLICY && config.NODE_ENV === 'production') {
    problems.push('  BENCH_DISABLE_POLICY: refused in production (it serves every row and field to everyone)');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return config;
}

/** Development mode: no identity provider configured, tokens signed by a key in DATA_DIR. */
export function usesDevelopmentKeys(config: Config): boolean {
  return !config.AUTH_JWKS_URL && !config.AUTH_JWKS_FILE;
}

/** Who may introspect: everyone in development; members only in production unless configured. */
export function introspectionPolicy(config: Config): 'all' | 'members' | 'off' {
  return config.INTROSPECTION ?? (config.NODE_ENV === 'production' ? 'members' : 'all');
}
