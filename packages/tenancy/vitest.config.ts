import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One embedded PostgreSQL per run (or TEST_DATABASE_URL); each suite gets its own database.
    globalSetup: ['@repo/localdb/vitest-global-setup'],
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Suites clean up what they made on the whole cluster (the pools suite: 200 databases).
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
});
