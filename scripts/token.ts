import { parseArgs } from 'node:util';
import { devTokenTtlSeconds, signDevToken } from '../src/auth/dev-keys.js';
import { ROLES } from '../src/auth/viewer.js';
import { ConfigError, loadConfig, usesDevelopmentKeys, type Config } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { organizations } from '../src/db/schema/index.js';
import { buildOrganizations } from '../src/db/seed/reference.js';

/**
 * Development tokens: `npm run token -- --org unodc --roles analyst[,contributor] [--sub name] [--ttl 3600]`
 * prints a bearer token signed with the development key in DATA_DIR (created by the server or here),
 * valid 8 hours unless AUTH_MAX_TOKEN_AGE_S or AUTH_MAX_TOKEN_LIFETIME_S is shorter; a --ttl above them
 * is refused, since the server would refuse the token. Refused when a real identity provider is
 * configured: get tokens from it instead.
 */
const usage = `usage: npm run token -- --org <organization id> [--roles <role>[,<role>...]] [--sub <name>] [--ttl <seconds>]

  Prints a development bearer token, signed with the key in DATA_DIR (the server trusts it while no
  identity provider is configured: no AUTH_JWKS_URL/AUTH_JWKS_FILE).

  --org <id>      the organization the token speaks for (required); an unknown or inactive one is refused
                  and the valid ones are listed. They are read from DATABASE_URL when it is set, else
                  taken from the sample data the embedded database is seeded with
  --roles <list>  comma-separated, default analyst: ${ROLES.join(', ')}
  --sub <name>    the person (default dev:<org>:<first role>)
  --ttl <seconds> lifetime, default 8 hours or the server's shorter AUTH_MAX_TOKEN_AGE_S /
                  AUTH_MAX_TOKEN_LIFETIME_S; a longer one is refused
  -h, --help      this text

  Example: curl -H "authorization: Bearer $(npm run -s token -- --org kaz-ct --roles analyst)" ...`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      org: { type: 'string' },
      roles: { type: 'string', default: 'analyst' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
if (!usesDevelopmentKeys(config)) {
  fail('An identity provider is configured (AUTH_JWKS_URL/AUTH_JWKS_FILE): get tokens from it; development tokens would be refused.');
}
const roles = values.roles!.split(',').map((r) => r.trim()).filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
const ttl = values.ttl === undefined ? devTokenTtlSeconds(config) : Number(values.ttl);
if (!values.org || unknown.length > 0 || !Number.isInteger(ttl) || ttl <= 0) {
  fail(`${!values.org ? '--org is required\n' : ''}${unknown.length ? `unknown role(s): ${unknown.join(', ')}\n` : ''}${usage}`);
}
const limit = Math.min(config.AUTH_MAX_TOKEN_AGE_S, config.AUTH_MAX_TOKEN_LIFETIME_S);
if (ttl > limit) {
  fail(`--ttl ${ttl} is above the server's limit of ${limit} s (AUTH_MAX_TOKEN_AGE_S, AUTH_MAX_TOKEN_LIFETIME_S): the token would be refused`);
}

/**
 * The organizations a token may name: the API refuses a token of an unknown or inactive organization
 * when it is used, so a typo here would only show up later as a 401. PostgreSQL is asked directly (an
 * operator may have added organizations); the embedded database is not opened, since a running server
 * holds its files, and it holds the sample data's organizations.
 */
async function knownOrganizations(): Promise<{ source: string; active: string[]; inactive: string[] }> {
  if (!config.DATABASE_URL) {
    const sample = buildOrganizations(0);
    return { source: 'the sample data', active: sample.filter((o) => o.active !== false).map((o) => o.id), inactive: sample.filter((o) => o.active === false).map((o) => o.id) };
  }
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolMax: 1, connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS });
  try {
    const rows = await database.db.select({ id: organizations.id, active: organizations.active }).from(organizations).orderBy(organizations.id);
    return { source: 'the database (DATABASE_URL)', active: rows.filter((r) => r.active).map((r) => r.id), inactive: rows.filter((r) => !r.active).map((r) => r.id) };
  } catch (error) {
    fail(`cannot read the organizations from DATABASE_URL: ${(error as Error).message}`);
  } finally {
    await database.close();
  }
}

const known = await knownOrganizations();
if (!known.active.includes(values.org)) {
  const why = known.inactive.includes(values.org) ? 'is inactive' : 'is not an organization';
  fail(`--org: "${values.org}" ${why} in ${known.source}; use one of: ${known.active.join(', ') || '(none: seed the database first, npm run seed)'}`);
}
const token = await signDevToken(config.DATA_DIR, { org: values.org, roles, ...(values.sub ? { sub: values.sub } : {}), ttlSeconds: ttl });
process.stdout.write(`${token}\n`);
