import { defineConfig } from 'vitest/config';

// Pure functions and small servers: redirects, addresses, headers, the session gate, password hashing. What runs
// against the database (the sessions and the sign-in limits as the sign-in roles use them) is tested in
// packages/db/test/auth, beside the tables and roles it needs.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
