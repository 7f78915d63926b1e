import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { buildBareSchema, printSortedSchema } from '../src/schema/build.js';

/**
 * Composes the network's subgraph with partner subgraphs into a supergraph SDL for Apollo Router (or
 * @apollo/gateway):
 *
 *   npm run supergraph -- --subgraph rats=http://localhost:4010/graphql=examples/partner-subgraph/schema.graphql \
 *                         [--url http://localhost:4000/graphql] [--out supergraph.graphql]
 *
 * Each --subgraph is name=routingUrl=sdlFile (the partner's SDL, e.g. its `{ _service { sdl } }`). The
 * network's own SDL comes from this code (no server needed); --url is where the Router reaches it.
 * Nothing is fetched over the network.
 */
const { values } = parseArgs({
  options: {
    subgraph: { type: 'string', multiple: true, default: [] },
    url: { type: 'string', default: 'http://localhost:4000/graphql' },
    out: { type: 'string', default: 'supergraph.graphql' },
  },
});

const partners = values.subgraph!.map((spec) => {
  const [name, url, file] = spec.split('=');
  if (!name || !url || !file) {
    process.stderr.write(`--subgraph must be name=routingUrl=sdlFile, got "${spec}"\n`);
    process.exit(2);
  }
  return { name, url, typeDefs: parse(readFileSync(file, 'utf8')) };
});

const network = { name: 'ctewn', url: values.url!, typeDefs: parse(printSortedSchema(await buildBareSchema())) };
const result = composeServices([network, ...partners]);
if (result.errors) {
  for (const error of result.errors) process.stderr.write(`composition error: ${error.message}\n`);
  process.exit(1);
}
for (const hint of result.hints ?? []) process.stderr.write(`hint (${hint.definition.code}): ${hint.message}\n`);
writeFileSync(values.out!, result.supergraphSdl);
process.stdout.write(`supergraph of ${1 + partners.length} subgraph(s) written to ${values.out}\n`);
