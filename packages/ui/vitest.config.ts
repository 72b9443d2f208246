import { defineConfig } from 'vitest/config';

// Pure functions: the action state and the request-failure messages.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
