import 'server-only';

import { deploymentSecrets } from '@repo/db/secrets';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import { serversConfig } from '@repo/env';
import { poolerFromSetting } from '@repo/tenancy/pgbouncer';

import { serverEnv } from '@/env';

// The process's one tenancy instance, built from the environment on first use (never during `next build`).
// Provisioning, deletion, migrations and the audit run through it with the owner connection (adminUrl);
// the per-tenant row counts run through withTenant (app_user, under RLS). Reads of the catalog and of
// server statistics do not use it: they go through the operator role (src/server/operator-db.ts).

type StepListener = (step: string) => void;

interface Holder {
  tenancy?: AppTenancy;
  /** Lifecycle step listeners by tenant slug: how a provisioning request reports its progress. */
  listeners: Map<string, Set<StepListener>>;
}

// Kept on globalThis so that `next dev` reloading this module does not open a second set of pools.
const store = globalThis as typeof globalThis & { __adminTenancy?: Holder };
const holder: Holder = (store.__adminTenancy ??= { listeners: new Map() });

export function tenancy(): AppTenancy {
  if (!holder.tenancy) {
    const env = serverEnv();
    holder.tenancy = createAppTenancy({
      adminUrl: env.ADMIN_DATABASE_URL,
      appUrl: env.DATABASE_URL,
      pooler: poolerFromSetting(env.TENANCY_POOLER, env.PGBOUNCER_AUTH_PASSWORD),
      operatorUrl: env.OPERATOR_DATABASE_URL,
      contextSecret: env.TENANCY_CONTEXT_SECRET,
      // Database tenants' role passwords, encrypted in the deployment's database. Provisioning writes
      // them, so this provider uses the owner connection; only a process with the key can decrypt them.
      secrets: deploymentSecrets(env.ADMIN_DATABASE_URL, env.TENANCY_SECRETS_KEY, env.TENANCY_CONTEXT_SECRET),
      migrationsFolder: env.TENANT_MIGRATIONS_DIR,
      maxConnections: env.TENANCY_MAX_CONNECTIONS,
      // The other servers (TENANCY_SERVERS), with their owner URLs: provisioning, moves and migrations reach them.
      ...serversConfig(env, { withAdmin: true }),
      beforeStep: (step, tenant) => {
        for (const listener of holder.listeners.get(tenant.slug) ?? []) {
          // A listener only reports progress: its failure must never abort a lifecycle step.
          try {
            listener(step);
          } catch {
            // ignored
          }
        }
      },
    });
  }
  return holder.tenancy;
}

/** Calls listener before every lifecycle step of the tenant `slug` until the returned function is called. */
export function onLifecycleStep(slug: string, listener: StepListener): () => void {
  const set = holder.listeners.get(slug) ?? new Set();
  set.add(listener);
  holder.listeners.set(slug, set);
  return () => {
    set.delete(listener);
    if (set.size === 0 && holder.listeners.get(slug) === set) holder.listeners.delete(slug);
  };
}
