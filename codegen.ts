import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator (cli v7, typescript-operations v6) for CT-EWN Graph's operations:
 * `npx graphql-codegen --config codegen.ts` writes one file of TypeScript types: each operation's result
 * and variables, and the enums and inputs they use, for any client (fetch, graphql-request, Apollo
 * Client, urql). docs/DEVELOPERS.md has the recipe; test/codegen.test.ts runs this config on
 * examples/operations/ and type-checks what it writes.
 *
 * The schema is schema.client.graphql: schema.graphql is the federation subgraph SDL, which codegen
 * (like graphql-js's buildSchema) refuses with `Unknown directive "@link"`.
 */
const config: CodegenConfig = {
  schema: 'schema.client.graphql',
  documents: ['examples/operations/*.graphql'],
  generates: {
    'generated/ct-ewn-graph.ts': {
      // Since v6, typescript-operations is standalone: it writes the enums and inputs the operations use
      // (adding the `typescript` plugin beside it declares them twice).
      plugins: ['typescript-operations'],
      config: {
        // The API's scalars travel as JSON strings; strictScalars fails the run if a new one appears unmapped.
        strictScalars: true,
        scalars: { DateTimeISO: 'string', EmailAddress: 'string', LocalDate: 'string', Period: 'string', UUID: 'string' },
        enumType: 'string-literal',
        // A new enum value (a TLP marking, an alert level) must not break a client compiled before it.
        futureProofEnums: true,
      },
    },
  },
};

export default config;
