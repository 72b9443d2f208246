import { deploymentSecrets } from '@repo/db/secrets';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import { serversConfig } from '@repo/env';
import { poolerFromSetting } from '@repo/tenancy/pgbouncer';
import type { DeploymentEnv } from './env';

export interface Deployment {
  tenancy: AppTenancy;
  /** Closes the library's pools and the secrets provider's, so the process can exit. */
  close(): Promise<void>;
}

/**
 * This app's deployment, built as the admin app builds it (apps/admin/src/server/tenancy.ts): the library with
 * @repo/db's tenant tables, database tenants' role passwords encrypted in the deployment's database.
 */
export function openDeployment(env: DeploymentEnv): Deployment {
  const secrets = deploymentSecrets(env.ADMIN_DATABASE_URL, env.TENANCY_SECRETS_KEY, env.TENANCY_CONTEXT_SECRET);
  const tenancy = createAppTenancy({
    adminUrl: env.ADMIN_DATABASE_URL,
    appUrl: env.DATABASE_URL,
    pooler: poolerFromSetting(env.TENANCY_POOLER, env.PGBOUNCER_AUTH_PASSWORD),
    operatorUrl: env.OPERATOR_DATABASE_URL,
    contextSecret: env.TENANCY_CONTEXT_SECRET,
    secrets,
    migrationsFolder: env.TENANT_MIGRATIONS_DIR,
    maxConnections: env.TENANCY_MAX_CONNECTIONS,
    ...serversConfig(env, { withAdmin: true }),
  });
  return {
    tenancy,
    close: async () => {
      await Promise.allSettled([tenancy.close(), secrets.close()]);
    },
  };
}
