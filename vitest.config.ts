import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One copy of graphql for the code and its dependencies ("from another module or realm" otherwise).
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/pg-setup.ts'],
    setupFiles: ['reflect-metadata'],
    // Any @apollo/gateway a test builds would otherwise probe cloud metadata addresses and Apollo's servers.
    env: { APOLLO_TELEMETRY_DISABLED: 'true' },
    // Generous: a few tests start a second server (PGlite start and seeding), slow on a loaded 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 240_000,
    // Each file starts its own embedded database; two at a time suit a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
