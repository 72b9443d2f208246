import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests and source checks only; the browser flows are Playwright's (e2e/).
export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // src/server/ modules import it to stay out of client bundles; the real one throws outside a React server build.
      'server-only': fileURLToPath(new URL('./test/support/server-only.ts', import.meta.url)),
    },
  },
  test: { include: ['test/**/*.test.ts'] },
});
