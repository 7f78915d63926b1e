import { parseArgs } from 'node:util';
import { devTokenTtlSeconds, signDevToken } from '../src/auth/dev-keys.js';
import { ROLES } from '../src/auth/viewer.js';
import { ConfigError, loadConfig, usesDevelopmentKeys } from '../src/config.js';

/**
 * Development tokens: `npm run token -- --org unodc --roles analyst[,contributor] [--sub name] [--ttl 3600]`
 * prints a bearer token signed with the development key in DATA_DIR (created by the server or here),
 * valid 8 hours unless AUTH_MAX_TOKEN_AGE_S or AUTH_MAX_TOKEN_LIFETIME_S is shorter; a --ttl above them
 * is refused, since the server would refuse the token. Refused when a real identity provider is
 * configured: get tokens from it instead.
 */
const usage = `usage: npm run token -- --org <organization id> --roles <${ROLES.join('|')}>[,...] [--sub <name>] [--ttl <seconds>]`;
const { values } = parseArgs({
  options: { org: { type: 'string' }, roles: { type: 'string', default: 'analyst' }, sub: { type: 'string' }, ttl: { type: 'string' } },
});
let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
if (!usesDevelopmentKeys(config)) {
  process.stderr.write('An identity provider is configured (AUTH_JWKS_URL/AUTH_JWKS_FILE): get tokens from it; development tokens would be refused.\n');
  process.exit(2);
}
const roles = values.roles!.split(',').map((r) => r.trim()).filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
const ttl = values.ttl === undefined ? devTokenTtlSeconds(config) : Number(values.ttl);
if (!values.org || unknown.length > 0 || !Number.isInteger(ttl) || ttl <= 0) {
  process.stderr.write(`${unknown.length ? `unknown role(s): ${unknown.join(', ')}\n` : ''}${usage}\n`);
  process.exit(2);
}
const limit = Math.min(config.AUTH_MAX_TOKEN_AGE_S, config.AUTH_MAX_TOKEN_LIFETIME_S);
if (ttl > limit) {
  process.stderr.write(`--ttl ${ttl} is above the server's limit of ${limit} s (AUTH_MAX_TOKEN_AGE_S, AUTH_MAX_TOKEN_LIFETIME_S): the token would be refused\n`);
  process.exit(2);
}
const token = await signDevToken(config.DATA_DIR, { org: values.org, roles, ...(values.sub ? { sub: values.sub } : {}), ttlSeconds: ttl });
process.stdout.write(`${token}\n`);
