import { defineConfig } from 'vitest/config';

// Pure functions: the environment parser and the settings it validates.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
