import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { fileURLToPath } from 'node:url';

// Imported for its side effect: a bad environment fails `next build`, `next dev` and `next start`, not the
// first request. The databases and secrets (serverEnv) are checked everywhere except in the build, which must
// work without them (CI, Docker image builds).
import { serverEnv } from './src/env';
import { ARCHIVE_UPLOAD_MAX_BYTES } from './src/lib/archive-limits';

const config: NextConfig = {
  output: 'standalone',
  // Trace from the monorepo root: hoisted node_modules and workspace packages live above this app.
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
  // The tenant-table migrations are read from disk at run time (provisioning, migrate all): not imports, so
  // the tracer would leave them out of the standalone output.
  outputFileTracingIncludes: { '/**': ['../../packages/db/migrations/tenant/**'] },
  // Workspace packages ship TypeScript source, not built files.
  transpilePackages: ['@repo/db', '@repo/tenancy', '@repo/auth', '@repo/env', '@repo/ui'],
  // Native bindings and worker threads break when bundled, and rate-limiter-flexible imports optional stores by computed
  // names: load them from node_modules at run time.
  serverExternalPackages: ['pg', '@node-rs/argon2', 'pino', 'rate-limiter-flexible'],
  poweredByHeader: false,
  // The proxy (src/proxy.ts) makes Next buffer each request body and cut it off past this size (10 MB by default):
  // archive uploads (POST /api/archives) may be as large as the console accepts, and a larger one is refused by its
  // Content-Length before the body is read.
  experimental: { proxyClientMaxBodySize: ARCHIVE_UPLOAD_MAX_BYTES },
};

export default function nextConfig(phase: string): NextConfig {
  if (phase !== PHASE_PRODUCTION_BUILD) serverEnv();
  return config;
}
