import { defineConfig } from 'vitest/config';

// No database harness: the stack suite starts its own empty PostgreSQL, because init.sql creates cluster-wide
// roles and must run on an empty server exactly as the postgres image's entrypoint runs it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The stack suite builds both apps (the Dockerfiles' build commands) on two cores.
    hookTimeout: 600_000,
    testTimeout: 600_000,
  },
});
