import { defineConfig } from 'vitest/config';

// Pure functions (redirects, addresses, headers) and, on a real PostgreSQL (one embedded cluster per run, a database
// per suite), the sign-in limits and sessions as the sign-in roles use them.
export default defineConfig({
  test: {
    globalSetup: ['@repo/localdb/vitest-global-setup'],
    include: ['test/**/*.test.ts'],
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
