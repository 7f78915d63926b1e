import { isSpecifiedDirective, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';

/**
 * What the subgraph adds for the router only: `_service`/`_entities`, their types, and the types of the
 * `@link`ed specs (`link__Import`, `federation__FieldSet`, …). A client never sends these (the API
 * refuses `_service` to non-routers), and standard tools reject the SDL that declares them without
 * their directives.
 */
const ROUTER_FIELDS = new Set(['_service', '_entities']);
const isRouterType = (name: string) => ['_Any', '_Service', '_Entity'].includes(name) || /^(link|federation)__/.test(name);

/**
 * The schema as a client sees it: the subgraph schema without the federation machinery and with only
 * the directives of the GraphQL specification. Its SDL (schema.client.graphql) loads in graphql-js's
 * `buildSchema`, graphql-inspector, GraphQL Code Generator and IDE plugins, which reject schema.graphql
 * with `Unknown directive "@link"`: that file is for composition, this one for clients.
 */
export function clientSchema(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.TYPE]: (type) => (isRouterType(type.name) ? null : type),
    [MapperKind.QUERY_ROOT_FIELD]: (field, name) => (ROUTER_FIELDS.has(name) ? null : field),
    [MapperKind.DIRECTIVE]: (directive) => (isSpecifiedDirective(directive) ? directive : null),
  });
}

/** The client SDL in a stable order: what schema.client.graphql holds. */
export function printClientSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(clientSchema(schema))).trim()}\n`;
}
