import { defineConfig } from 'vitest/config';

// The template for every package whose tests need PostgreSQL: copy the `test` block.
// globalSetup is a package specifier, not an import: vitest loads it through its own
// transformer, while Node (which loads this config's imports) cannot load the .ts sources.
// A package that needs schema in every suite's database points globalSetup at its own file
// that does `export default createDatabaseGlobalSetup({ prepareTemplate })`.
export default defineConfig({
  test: {
    globalSetup: ['@repo/localdb/vitest-global-setup'],
    // The first suite may wait for initdb and the server start, or a container image pull.
    hookTimeout: 60_000,
    // Starting a cluster runs initdb: seconds on a loaded machine, more than vitest's default 5 s.
    testTimeout: 60_000,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
