import { startLocalPgBouncer } from '@repo/db/local';
import { createAppTenancy } from '@repo/db/tenancy';
import type { Check, Mode } from '../part';
import type { FaultDeployment } from './deployment';
import type { Load } from './load';
import { outageCheck } from './outage';

const AUTH_PASSWORD = 'pgbouncer_auth_faults';

const PLAN: Record<Mode, { rounds: number; warmMs: number; settleMs: number }> = {
  short: { rounds: 1, warmMs: 1_500, settleMs: 1_000 },
  full: { rounds: 3, warmMs: 5_000, settleMs: 3_000 },
};

/**
 * PgBouncer (transaction mode, the product's generated config) restarted under load: every client
 * and server connection through it is cut. The app's tenancy, configured with the pgbouncer pooler
 * and created once before the first round, must serve every tenant again by itself.
 */
export async function pgbouncerRestart(deployment: FaultDeployment, load: Load, mode: Mode): Promise<Check> {
  const plan = PLAN[mode];
  // Started after the tenants exist: the auth lookup goes into every database, the tenant databases too.
  const local = await startLocalPgBouncer({
    adminUrl: deployment.urls.adminUrl,
    authPassword: AUTH_PASSWORD,
    settings: { poolMode: 'transaction', defaultPoolSize: 8 },
  });
  const { urls } = deployment;
  const tenancy = createAppTenancy({
    adminUrl: urls.adminUrl,
    appUrl: local.through(urls.appUrl),
    contextSecret: urls.contextSecret,
    catalogCacheMs: 300,
    pooler: { kind: 'pgbouncer', mode: 'transaction', authPassword: AUTH_PASSWORD },
    ...(urls.tenancy?.secrets ? { secrets: urls.tenancy.secrets } : {}),
  });
  load.through(tenancy);
  try {
    return await outageCheck(deployment, load, {
      name: 'PgBouncer (transaction mode) restarted under load',
      must: 'calls fail while PgBouncer restarts',
      rounds: plan.rounds,
      warmMs: plan.warmMs,
      settleMs: plan.settleMs,
      tenancy,
      cut: () => local.bouncer.restart(),
    });
  } finally {
    load.through(deployment.tenancy);
    await tenancy.close().catch(() => undefined);
    await local.stop();
  }
}
