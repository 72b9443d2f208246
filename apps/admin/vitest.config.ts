import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests and source checks only; the browser flows are Playwright's (e2e/).
export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: { include: ['test/**/*.test.ts'] },
});
