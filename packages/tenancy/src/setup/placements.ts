import type { Catalog } from '../catalog/catalog';
import type { StrategyName } from '../catalog/types';
import type { Deployment } from '../deployment';
import { applyMigrations, type MigrationTarget } from '../migrations/apply';
import { ownerTransaction } from '../strategies/schema';
import type { Strategy } from '../strategies/types';
import { roleOf } from '../sql/urls';
import { writeContextKey, type KeyChange } from './context-key';
import { install } from './install';

export interface Placements {
  deployment: Deployment;
  catalog: Catalog;
  strategies: Record<StrategyName, Strategy>;
  sharedTarget: () => MigrationTarget;
}

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
