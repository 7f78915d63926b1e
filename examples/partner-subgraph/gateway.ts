import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { GraphQLError, Kind, parse, type ExecutionResult } from 'graphql';
import { composeSupergraph } from '../../scripts/supergraph.js';
import { DEFAULT_DATA_FILE, loadPartnerData, startPartnerSubgraph } from './server.js';

// Hive Gateway is loaded by name, untyped, with the few shapes used here declared below: its type
// declarations bring lib.dom and graphql-yoga's augmentation of GraphQLErrorExtensions (`http.headers`
// as a Record) into every file of the type check, which then rejects the API's own Apollo errors
// (`http.headers` as a Map) and Node's fetch bodies.
const HIVE_GATEWAY: string = '@graphql-hive/gateway';
interface ExecuteDone {
  result: ExecutionResult | AsyncIterable<ExecutionResult>;
  setResult(result: ExecutionResult): void;
}
/** The part of an envelop plugin (which Hive Gateway plugins are) used here. */
export interface GatewayPlugin {
  onExecute(): { onExecuteDone(payload: ExecuteDone): void };
}
interface GatewayRuntime {
  (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void;
  dispose(): Promise<void>;
}
interface GatewayConfig {
  supergraph: string;
  propagateHeaders: { fromClientToSubgraphs(payload: { request: Request }): Record<string, string | undefined> };
  plugins(): GatewayPlugin[];
  graphiql: false;
  landingPage: false;
  logging: 'debug' | 'error';
}
const loadHive = async (): Promise<{ createGatewayRuntime(config: GatewayConfig): GatewayRuntime }> =>
  import(/* @vite-ignore */ HIVE_GATEWAY);

/** The entity types of a supergraph: object types that some subgraph joins by a key. */
export function entityTypesOf(supergraphSdl: string): Set<string> {
  const names = new Set<string>();
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const keyed = def.directives?.some((d) => d.name.value === 'join__type' && d.arguments?.some((a) => a.name.value === 'key'));
    if (keyed) names.add(def.name.value);
  }
  return names;
}

const NON_NULL = /^Cannot return null for non-nullable field (\w+)\.\w+\.$/;

/**
 * Hive Gateway plugin: an entity reference that its owning subgraph resolves to null (a report the
 * caller may not see, or an unknown id: the network's `_entities` answers null for both, as the
 * federation spec asks) comes back as a plain null, with no error beside it.
 *
 * Why a plugin: Hive Gateway merges the partner's `{ __typename, id }` with the null entity into an
 * object whose other fields are null, so completing `Report.title: String!` raises "Cannot return null
 * for non-nullable field" and nulls the nearest nullable parent (the list item): the right data, but an
 * "Unexpected error." INTERNAL_SERVER_ERROR per hidden item, which tells a client something failed when
 * the policy simply held. @apollo/gateway reaches the same null and keeps these value-completion errors
 * out of `errors` (in `extensions.valueCompletion` when no subgraph error came, else dropped); this
 * keeps them in `extensions.valueCompletion` always. Only errors
 * the gateway raised itself on an entity type are moved: an error a subgraph sent (it carries the
 * subgraph's `serviceName`) stays, so a subgraph that really returns null for a non-null field is seen.
 */
export function useUnresolvedEntitiesAsNull(entityTypes: Set<string>): GatewayPlugin {
  const isUnresolvedEntity = (error: GraphQLError) => {
    if (error.extensions?.serviceName !== undefined) return false;
    const type = NON_NULL.exec(error.originalError?.message ?? error.message)?.[1];
    return type !== undefined && entityTypes.has(type);
  };
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const { errors } = result;
          if (!errors?.length) return;
          const moved = errors.filter(isUnresolvedEntity);
          if (moved.length === 0) return;
          const kept = errors.filter((e) => !moved.includes(e));
          const valueCompletion = moved.map((e) => ({ message: e.message, path: e.path }));
          setResult({
            ...result,
            errors: kept.length > 0 ? kept : undefined,
            extensions: { ...result.extensions, valueCompletion },
          });
        },
      };
    },
  };
}

/**
 * Hive Gateway on loopback for a supergraph: the caller's bearer token goes to every subgraph (each
 * applies its own policy to the user); no usage reporting (no `reporting` option), no landing page or
 * GraphiQL (their pages load scripts from a CDN).
 */
export async function startHiveGateway(
  supergraphSdl: string,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { createGatewayRuntime } = await loadHive();
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
    },
    plugins: () => [useUnresolvedEntitiesAsNull(entityTypesOf(supergraphSdl))],
    graphiql: false,
    landingPage: false,
    logging: process.env.GATEWAY_LOG_LEVEL === 'debug' ? 'debug' : 'error',
  });
  const server = createServer(gateway);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}/graphql`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}

/**
 * `npm run partner [-- data.json]`: the partner subgraph (port 4010) and Hive Gateway (port 4020)
 * composing it with the network's API at CTEWN_URL (default http://127.0.0.1:4000/graphql, `npm start`).
 */
async function main(): Promise<void> {
  const file = process.argv[2] ?? DEFAULT_DATA_FILE;
  const partner = await startPartnerSubgraph(loadPartnerData(file), Number(process.env.PARTNER_PORT ?? 4010));
  const composed = await composeSupergraph(
    [{ name: 'rats', url: partner.url, typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')) }],
    { networkUrl: process.env.CTEWN_URL ?? 'http://127.0.0.1:4000/graphql', composer: 'guild' },
  );
  if ('errors' in composed) {
    for (const error of composed.errors) process.stderr.write(`composition error: ${error}\n`);
    await partner.stop();
    process.exit(1);
  }
  const gateway = await startHiveGateway(composed.supergraphSdl, { port: Number(process.env.GATEWAY_PORT ?? 4020) });
  process.stdout.write(`partner subgraph at ${partner.url} (data: ${file})\nHive Gateway at ${gateway.url}\n`);
  const stop = async () => {
    await gateway.stop();
    await partner.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
