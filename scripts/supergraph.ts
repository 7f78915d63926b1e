import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeServices as composeWithApollo } from '@apollo/composition';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import { parse, type DocumentNode } from 'graphql';
import { buildBareSchema, printSortedSchema } from '../src/schema/build.js';

/**
 * Composes the network's subgraph with partner subgraphs into a supergraph SDL for Apollo Router,
 * @apollo/gateway or Hive Gateway:
 *
 *   npm run supergraph -- --subgraph rats=http://localhost:4010/graphql=examples/partner-subgraph/schema.graphql \
 *                         [--url http://localhost:4000/graphql] [--out supergraph.graphql] [--composer apollo|guild]
 *
 * Each --subgraph is name=routingUrl=sdlFile (the partner's SDL, e.g. its `{ _service { sdl } }`). The
 * network's own SDL comes from this code (no server needed); --url is where the gateway reaches it.
 * --composer guild uses The Guild's composition (@theguild/federation-composition, the library behind
 * mesh-compose and Hive); the default is Apollo's (@apollo/composition). Nothing is fetched over the network.
 */
export type Composer = 'apollo' | 'guild';
export interface SubgraphSource {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

export async function composeSupergraph(
  partners: SubgraphSource[],
  options: { networkUrl: string; composer: Composer },
): Promise<{ supergraphSdl: string; hints: string[] } | { errors: string[] }> {
  const network = { name: 'ctewn', url: options.networkUrl, typeDefs: parse(printSortedSchema(await buildBareSchema())) };
  const services = [network, ...partners];
  if (options.composer === 'guild') {
    const result = composeWithGuild(services);
    return result.errors ? { errors: result.errors.map((e) => e.message) } : { supergraphSdl: result.supergraphSdl, hints: [] };
  }
  const result = composeWithApollo(services);
  if (result.errors) return { errors: result.errors.map((e) => e.message) };
  return { supergraphSdl: result.supergraphSdl, hints: (result.hints ?? []).map((h) => `hint (${h.definition.code}): ${h.message}`) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subgraph: { type: 'string', multiple: true, default: [] },
      url: { type: 'string', default: 'http://localhost:4000/graphql' },
      out: { type: 'string', default: 'supergraph.graphql' },
      composer: { type: 'string', default: 'apollo' },
    },
  });
  if (values.composer !== 'apollo' && values.composer !== 'guild') {
    process.stderr.write(`--composer must be apollo or guild, got "${values.composer}"\n`);
    process.exit(2);
  }
  const partners = values.subgraph!.map((spec) => {
    const [name, url, file] = spec.split('=');
    if (!name || !url || !file) {
      process.stderr.write(`--subgraph must be name=routingUrl=sdlFile, got "${spec}"\n`);
      process.exit(2);
    }
    return { name, url, typeDefs: parse(readFileSync(file, 'utf8')) };
  });
  const result = await composeSupergraph(partners, { networkUrl: values.url!, composer: values.composer });
  if ('errors' in result) {
    for (const error of result.errors) process.stderr.write(`composition error: ${error}\n`);
    process.exit(1);
  }
  for (const hint of result.hints) process.stderr.write(`${hint}\n`);
  writeFileSync(values.out!, result.supergraphSdl);
  process.stdout.write(`supergraph of ${1 + partners.length} subgraph(s) written to ${values.out} (${values.composer} composition)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
