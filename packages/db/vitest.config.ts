import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One embedded PostgreSQL per run (or TEST_DATABASE_URL); each suite gets its own database.
    globalSetup: ['@repo/localdb/vitest-global-setup'],
    include: ['test/**/*.test.ts'],
    // *.property.test.ts run once, through the reliability run's properties part, which sets PROPERTY_SCALE (set it to
    // run one here: PROPERTY_SCALE=1 npx vitest run test/x.property.test.ts).
    exclude: process.env.PROPERTY_SCALE ? configDefaults.exclude : [...configDefaults.exclude, '**/*.property.test.ts'],
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
