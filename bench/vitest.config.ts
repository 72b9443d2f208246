import { defineConfig } from 'vitest/config';

// Static checks of the bench's own files; the benchmarks themselves run with `npm run bench`.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
