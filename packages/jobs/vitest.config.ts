import { defineConfig } from 'vitest/config';

// The queue on a real PostgreSQL (one embedded cluster per run): jobs in tenant context, and tenants deleted or moved
// while their jobs wait.
export default defineConfig({
  test: {
    globalSetup: ['@repo/localdb/vitest-global-setup'],
    include: ['test/**/*.test.ts'],
    hookTimeout: 120_000,
    testTimeout: 120_000,
  },
});
