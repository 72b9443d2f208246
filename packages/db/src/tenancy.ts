import { fileURLToPath } from 'node:url';
import { createTenancy, type TenancyConfigInput } from '@repo/tenancy';
import { TENANT_TABLES } from './schema/tenant.js';

/** Where drizzle-kit writes the tenant-table migrations that @repo/tenancy applies to every placement. */
export const TENANT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/tenant', import.meta.url));
export const CONTROL_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/control', import.meta.url));

/** This app's tenancy: the library, configured with this package's tenant tables. */
export function createAppTenancy(config: Omit<TenancyConfigInput, 'tenantTables'>) {
  return createTenancy({ ...config, tenantTables: [...TENANT_TABLES] });
}

export type AppTenancy = ReturnType<typeof createAppTenancy>;
