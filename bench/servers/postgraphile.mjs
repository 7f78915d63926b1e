// PostGraphile 5 (Amber preset, library mode on Node's http server) on the benchmark database, with the
// same token check as the API. PGL_RLS=1: every request runs as role ctewn_bench_rls with the viewer's
// organization and person in transaction-local settings, so the row-level security policies of
// sql/postgraphile.sql apply the network's row rule; PGL_RLS=0: it runs as the connecting superuser and
// sees every row. Field rules (Admiralty gradings, sourceDescription, sanctions lists, notes…) and the
// access log have no equivalent here. Needs Node 22+.  GET /__stats counts statements sent.
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { countQueries, createVerifier } from '../lib/verify.mjs';

const statements = countQueries(pg);
const rls = process.env.PGL_RLS === '1';
const verify = createVerifier();
// JIT off, as the API and the baseline have it and as PostgreSQL's users serving GraphQL set it: a statement
// whose estimated cost passes jit_above_cost (W7's overview under RLS does: its policies' subplans inflate
// the estimate) pays a compilation of a few hundred milliseconds to run for a few.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_MAX ?? 10), options: '-c jit=off' });

const preset = {
  extends: [PostGraphileAmberPreset],
  // Filtering on retracted_at / superseded_at (unindexed columns) needs conditions on every column, as a
  // hand-written API would offer; Amber otherwise exposes conditions on indexed columns only.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  // W6's search functions: each variant its own form (sql/postgraphile.sql), under the same field names.
  pgServices: [makePgService({ pool, schemas: ['public', 'bench_pgl', rls ? 'bench_pgl_search_rls' : 'bench_pgl_search'] })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: {
    async context(requestContext) {
      const req = requestContext.node?.req;
      const claims = await verify(req?.headers.authorization);
      // A missing or bad token gets the anonymous rights of the API: with RLS, CLEAR only (policy below).
      if (!rls) return { pgSettings: null };
      return {
        pgSettings: {
          role: 'ctewn_bench_rls',
          'jwt.claims.org': claims?.org ?? '',
          'jwt.claims.sub': claims?.sub ?? '',
        },
      };
    },
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
// createHandler is the plain request handler (addTo would also add websockets, which no workload uses).
const handler = serv.createHandler();
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ statements: statements.count }));
    return;
  }
  handler(req, res);
});
await pgl.getSchema();
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`postgraphile (rls=${rls}) listening on ${process.env.PORT}\n`));
const stop = () => server.close(() => Promise.resolve(pgl.release()).then(() => pool.end()).then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
