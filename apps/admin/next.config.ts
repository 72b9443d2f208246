import type { NextConfig } from 'next';
import { fileURLToPath } from 'node:url';

// Imported for its side effect: a bad environment fails `next build` and `next start`, not the first request.
import './src/env';

const config: NextConfig = {
  output: 'standalone',
  // Trace from the monorepo root: hoisted node_modules and workspace packages live above this app.
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
  // Workspace packages ship TypeScript source, not built files.
  transpilePackages: ['@repo/db', '@repo/tenancy'],
  // Native bindings and worker threads break when bundled; load them from node_modules at run time.
  serverExternalPackages: ['pg', '@node-rs/argon2', 'pino'],
};

export default config;
