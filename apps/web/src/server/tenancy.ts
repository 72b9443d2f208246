import 'server-only';

import { CONTEXT_ROLES, TENANT_TABLES } from '@repo/db/schema';
import { createTenancy, type Tenancy } from '@repo/tenancy';
import { poolerFromSetting } from '@repo/tenancy/pgbouncer';
import { deploymentSecrets } from '@repo/db/secrets';

import { serverEnv } from '@/env';

// The process's one tenancy instance, built from the environment on first use (never during `next build`).
// Only src/server/tenant-data.ts may import this module (test/data-access.test.ts enforces it): every request
// reaches tenant data through that helper, with the tenant and role taken from the session.

// Kept on globalThis so that `next dev` reloading this module does not open a second set of pools.
const holder = globalThis as typeof globalThis & { __webTenancy?: Tenancy };

export function tenancy(): Tenancy {
  if (!holder.__webTenancy) {
    const env = serverEnv();
    // createTenancy with @repo/db's tenant tables, as createAppTenancy does; @repo/db/tenancy itself is not imported
    // because it resolves its migration folders with new URL(..., import.meta.url), which the bundler cannot pack.
    holder.__webTenancy = createTenancy({
      tenantTables: [...TENANT_TABLES],
      contextRoles: { ...CONTEXT_ROLES },
      appUrl: env.DATABASE_URL,
      pooler: poolerFromSetting(env.TENANCY_POOLER),
      appPoolSize: env.DATABASE_POOL_SIZE,
      contextSecret: env.TENANCY_CONTEXT_SECRET,
      // Database tenants' role passwords, encrypted in the deployment's database; app_user reads the
      // ciphertext through tenancy.get_secret() and only this process holds the key.
      secrets: deploymentSecrets(env.DATABASE_URL, env.TENANCY_SECRETS_KEY, env.TENANCY_CONTEXT_SECRET),
    });
  }
  return holder.__webTenancy;
}
