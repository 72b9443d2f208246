import 'server-only';

import { deploymentSecrets } from '@repo/db/secrets';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import { serversConfig } from '@repo/env';
import { poolerFromSetting } from '@repo/tenancy/pgbouncer';

import { serverEnv } from '@/env';

// The process's one tenancy instance, built from the environment on first use (never during `next build`).
// Only src/server/tenant-data.ts may import this module (test/data-access.test.ts enforces it): every request
// reaches tenant data through that helper, with the tenant and role taken from the session.

// Kept on globalThis so that `next dev` reloading this module does not open a second set of pools.
const holder = globalThis as typeof globalThis & { __webTenancy?: AppTenancy };

export function tenancy(): AppTenancy {
  if (!holder.__webTenancy) {
    const env = serverEnv();
    holder.__webTenancy = createAppTenancy({
      appUrl: env.DATABASE_URL,
      pooler: poolerFromSetting(env.TENANCY_POOLER),
      appPoolSize: env.DATABASE_POOL_SIZE,
      contextSecret: env.TENANCY_CONTEXT_SECRET,
      // Database tenants' role passwords, encrypted in the deployment's database; app_user reads the
      // ciphertext through tenancy.get_secret() and only this process holds the key.
      secrets: deploymentSecrets(env.DATABASE_URL, env.TENANCY_SECRETS_KEY, env.TENANCY_CONTEXT_SECRET),
      // Requests go to each tenant's server (the catalog names it); this process creates no tenant and holds no owner URL.
      ...serversConfig(env, { withAdmin: false }),
    });
  }
  return holder.__webTenancy;
}
