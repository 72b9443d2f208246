import { defineConfig } from 'vitest/config';

// Pure source scans: the import-cycle check over every workspace, and the scanner itself on a fixture.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
