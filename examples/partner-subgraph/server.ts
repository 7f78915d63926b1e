import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { gql } from 'graphql-tag';
import { z } from 'zod';

/**
 * A small but real partner subgraph (run: `npx tsx examples/partner-subgraph/server.ts [data.json]`,
 * port 4010, or `npm run partner` for it and a gateway). Its data is its own: a watchlist of network
 * report ids, threat levels per country and notes on reports, read from a JSON file (default: the
 * data.json beside this file, which lists sample-data reports of each visibility and one unknown id).
 */
const partnerDataSchema = z.object({
  watchlist: z.array(z.string()),
  threatLevels: z.record(z.string(), z.string()),
  assessments: z.record(z.string(), z.string()),
});
export type PartnerData = z.infer<typeof partnerDataSchema>;

export const DEFAULT_DATA_FILE = fileURLToPath(new URL('./data.json', import.meta.url));

export function loadPartnerData(file = DEFAULT_DATA_FILE): PartnerData {
  const parsed = partnerDataSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
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
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? DEFAULT_DATA_FILE;
  const { url } = await startPartnerSubgraph(loadPartnerData(file), Number(process.env.PORT ?? 4010));
  process.stdout.write(`partner subgraph at ${url} (data: ${file})\n`);
}
