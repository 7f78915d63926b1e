import 'reflect-metadata';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { GraphQLObjectType, isObjectType, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema, createResolversMap } from 'type-graphql';
import { referenceResolvers } from '../resolvers/entities.js';
import { resolveTotalCounts } from './common/connection.js';
import { validateArguments } from './common/validate.js';
import { refuseUnsafeText } from './common/text-input.js';
import { recordAccessOnResolve } from '../auth/access-log.js';
import { createShield, ruleFor } from '../auth/policy.js';
import { AlertSubscriptionResolver } from '../resolvers/alert-subscription.resolver.js';
import { AlertResolver } from '../resolvers/alert.resolver.js';
import { AlertTriageFieldsResolver, AlertTriageResolver } from '../resolvers/alert-triage.resolver.js';
import { AuditResolver } from '../resolvers/audit.resolver.js';
import { ObservationWritesResolver } from '../resolvers/observation-writes.resolver.js';
import { ReportWritesResolver } from '../resolvers/report-writes.resolver.js';
import { CountryResolver } from '../resolvers/country.resolver.js';
import { CountryGroupResolver } from '../resolvers/country-group.resolver.js';
import { GrantResolver } from '../resolvers/grant.resolver.js';
import { ViewerResolver } from '../resolvers/viewer.resolver.js';
import { IndicatorResolver } from '../resolvers/indicator.resolver.js';
import { ObservationResolver } from '../resolvers/observation.resolver.js';
import { OrganizationResolver } from '../resolvers/organization.resolver.js';
import { ReportResolver } from '../resolvers/report.resolver.js';
import { ReportRevisionResolver } from '../resolvers/report-revision.resolver.js';
import { WithheldValueResolver } from '../resolvers/withheld-value.resolver.js';
import { ObservationConnectionResolver } from '../resolvers/observation-connection.resolver.js';
import { OverviewResolver } from '../resolvers/overview.resolver.js';
import { ThresholdsResolver } from '../resolvers/thresholds.resolver.js';
import { PeerResolver } from '../resolvers/peer.resolver.js';

/** The federation spec the subgraph links to, and what it imports from it. */
export const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

/**
 * The schema as a federation v2 subgraph, without the authorization layer: type-graphql builds the types
 * and resolvers, @apollo/subgraph adds `_service`, `_entities` and the entity reference resolvers.
 */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  const schema = await buildTypeGraphqlSchema();
  const resolvers = createResolversMap(schema) as Record<string, Record<string, unknown>>;
  for (const [type, reference] of Object.entries(referenceResolvers)) resolvers[type] = { ...resolvers[type], ...reference };
  return resolveTotalCounts(buildSubgraphSchema({
    typeDefs: gql`
      ${FEDERATION_LINK}
      ${printSchemaWithDirectives(schema)}
    `,
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  }));
}

/**
 * Every object type is declared `simpleResolvers: true`: a plain field then has no resolver of its own
 * (graphql reads the property), where type-graphql would wrap each in a middleware runner, per field of
 * every record of a list. No type-graphql middleware or auth checker is used; the policy is the shield.
 */
async function buildTypeGraphqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    // The federation directives are declared by @apollo/subgraph, which receives this schema's SDL.
    skipCheck: true,
    resolvers: [
      CountryResolver,
      CountryGroupResolver,
      OrganizationResolver,
      ReportResolver,
      ReportRevisionResolver,
      WithheldValueResolver,
      ObservationConnectionResolver,
      OverviewResolver,
      IndicatorResolver,
      ThresholdsResolver,
      PeerResolver,
      ObservationResolver,
      GrantResolver,
      AuditResolver,
      ViewerResolver,
      ReportWritesResolver,
      ObservationWritesResolver,
      AlertResolver,
      AlertTriageResolver,
      AlertTriageFieldsResolver,
      AlertSubscriptionResolver,
    ],
    validateFn: validateArguments,
    // type-graphql insists on a PubSub for any subscription; ours bring their own `subscribe` (the
    // AlertBus, fed by LISTEN/NOTIFY), so topic-based publishing is refused rather than silently unused.
    pubSub: {
      publish: () => {
        throw new Error('topic PubSub is not used: subscriptions subscribe through the AlertBus');
      },
      subscribe: () => {
        throw new Error('topic PubSub is not used: subscriptions subscribe through the AlertBus');
      },
    },
  });
}

/** The subgraph SDL, federation directives included, in a stable order: what schema.graphql holds. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(lexicographicSortSchema(schema)).trim()}\n`;
}

/** Every field of every object type of the schema that no policy entry names (default deny made visible). */
export function fieldsWithoutRule(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) => Object.keys(type.getFields()).map((field) => [type.name, field] as const))
    .filter(([type, field]) => !ruleFor(type, field))
    .map(([type, field]) => `${type}.${field}`);
}

/**
 * The served schema: type-graphql's, wrapped by the field policy, recording what it hands out. Refuses
 * to build with an unruled field. `policy: false` is the benchmark's switch (BENCH_DISABLE_POLICY).
 */
export async function buildApiSchema(options: { policy: boolean } = { policy: true }): Promise<GraphQLSchema> {
  // Input rules, not policy: the text rule holds with the benchmark's policy switch too.
  const schema = refuseUnsafeText(await buildBareSchema());
  const missing = fieldsWithoutRule(schema);
  if (missing.length > 0) {
    throw new Error(`Fields without an authorization rule (add them to src/auth/policy.ts): ${missing.join(', ')}`);
  }
  if (!options.policy) return schema;
  return recordAccessOnResolve(applyMiddleware(schema, createShield(schema)));
}
