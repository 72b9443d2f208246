import { fileURLToPath } from 'node:url';

// Apart from ./tenancy on purpose: a bundler (Turbopack) reads `new URL(..., import.meta.url)` as an asset to pack and
// fails on a folder, so the apps, which get the folder from their environment, never import this module.

/** Where drizzle-kit writes the tenant-table migrations that @repo/tenancy applies to every placement. */
export const TENANT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/tenant', import.meta.url));
/** Where drizzle-kit writes the control-plane (catalog, users, sessions) migrations. */
export const CONTROL_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/control', import.meta.url));
