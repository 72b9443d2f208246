import { fileURLToPath } from 'node:url';
import { createTenancy, type TenancyConfigInput } from '@repo/tenancy';
import { CONTEXT_ROLES, TENANT_TABLES } from './schema/tenant.js';

/** Where drizzle-kit writes the tenant-table migrations that @repo/tenancy applies to every placement. */
export const TENANT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/tenant', import.meta.url));
export const CONTROL_MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations/control', import.meta.url));

/** This app's tenancy: the library, configured with this package's tenant tables and the roles its policies know. */
export function createAppTenancy(config: Omit<TenancyConfigInput, 'tenantTables' | 'contextRoles'>) {
  return createTenancy({ ...config, tenantTables: [...TENANT_TABLES], contextRoles: { ...CONTEXT_ROLES } });
}

export type AppTenancy = ReturnType<typeof createAppTenancy>;
