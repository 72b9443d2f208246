import { applyMigrations } from '../migrations/apply';
import type { Parts } from '../parts';
import { ownerTransaction } from '../strategies/schema';
import { roleOf } from '../sql/urls';
import { writeContextKey, type KeyChange } from './context-key';
import { install } from './install';

/** What installing everywhere reads: the deployment, its tenants and their strategies. */
export type Placements = Pick<Parts, 'deployment' | 'catalog' | 'strategies' | 'sharedTarget'>;

export interface InstallSummary {
  /** Databases brought up to date: the deployment's, the templates, every tenant database. */
  databases: number;
}

/**
 * Installs or updates the tenancy objects in every database the deployment serves from and stores
 * the context key there. The deployment's own key is written last: a run cut short leaves it as it
 * was, so running the same call again (setup() compares against it) walks every database again.
 */
export async function installEverywhere(parts: Placements, key: KeyChange): Promise<InstallSummary> {
  const { deployment, catalog, strategies } = parts;
  const { config } = deployment;
  const appRole = roleOf(config.appUrl);
  const operatorRole = config.operatorUrl ? roleOf(config.operatorUrl) : undefined;
  await deployment.withAdmin(async (client) => {
    await install(client, {
      appRole,
      operatorRole,
      sharedSchema: config.sharedSchema,
      catalog: true,
      connect: [appRole.name, ...(operatorRole ? [operatorRole.name] : [])],
    });
    await applyMigrations(client, parts.sharedTarget());
    await deployment.installPoolerAuth(client);
  });
  let databases = 1;
  for (const strategy of Object.values(strategies)) {
    if (await strategy.installTemplateTenancy?.(key)) databases++;
  }
  for (const tenant of await catalog.list()) {
    if (await strategies[tenant.strategy].installTenancy?.(tenant, key)) databases++;
  }
  await deployment.withAdmin((client) => ownerTransaction(client, () => writeContextKey(client, key)));
  return { databases };
}
