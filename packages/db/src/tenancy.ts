import { createTenancy, type TenancyConfigInput } from '@repo/tenancy';
import { CONTEXT_ROLES, TENANT_TABLES } from './schema/tenant';

/** This app's tenancy: the library, configured with this package's tenant tables and the roles its policies know. */
export function createAppTenancy(config: Omit<TenancyConfigInput, 'tenantTables' | 'contextRoles'>) {
  return createTenancy({ ...config, tenantTables: [...TENANT_TABLES], contextRoles: { ...CONTEXT_ROLES } });
}

export type AppTenancy = ReturnType<typeof createAppTenancy>;
