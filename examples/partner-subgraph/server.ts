import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { gql } from 'graphql-tag';

/**
 * A small but real partner subgraph (run: `npx tsx examples/partner-subgraph/server.ts`, port 4010).
 * Its data is its own: a watchlist of network report ids and threat levels per country.
 */
export interface PartnerData {
  watchlist: string[];
  threatLevels: Record<string, string>;
  assessments: Record<string, string>;
}

const typeDefs = gql(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export function partnerSchema(data: PartnerData) {
  return buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: {
        ratsWatchlist: () => data.watchlist.map((id) => ({ __typename: 'Report', id })),
        ratsCountries: () => Object.keys(data.threatLevels).map((iso3) => ({ iso3 })),
      },
      Country: {
        __resolveReference: (ref: { iso3: string }) => ({ iso3: ref.iso3 }),
        ratsThreatLevel: (country: { iso3: string }) => data.threatLevels[country.iso3] ?? null,
      },
      Report: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        ratsAssessment: (report: { id: string }) => data.assessments[report.id] ?? 'not assessed',
      },
    },
  });
}

export async function startPartnerSubgraph(data: PartnerData, port = 0): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new ApolloServer({
    schema: partnerSchema(data),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const { url } = await startPartnerSubgraph(
    { watchlist: [], threatLevels: { KAZ: 'LOW', KGZ: 'ELEVATED', TJK: 'HIGH', TKM: 'LOW', UZB: 'ELEVATED', AFG: 'HIGH' }, assessments: {} },
    Number(process.env.PORT ?? 4010),
  );
  process.stdout.write(`partner subgraph at ${url}\n`);
}
