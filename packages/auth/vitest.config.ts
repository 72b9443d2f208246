import { defineConfig } from 'vitest/config';

// Pure functions only: the browser and database behaviour of what this package builds is tested end to end by the
// apps' Playwright suites and by packages/db (the tables and grants).
export default defineConfig({
  test: { include: ['test/**/*.test.ts'] },
});
