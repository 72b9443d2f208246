import { audit } from './audit/audit';
import { Catalog } from './catalog/catalog';
import type { StrategyName } from './catalog/types';
import { parseConfig, type TenancyConfigInput } from './config';
import { migrateAll, type MigrateOptions } from './lifecycle/migrate';
import { tenantArchives } from './lifecycle/archive';
import { tenantMoves } from './lifecycle/move';
import { tenantLifecycle, tenantProvisioning } from './lifecycle/tenants';
import type { Parts } from './parts';
import type { PoolStats } from './pools/tenant-pools';
import { tenantRequests } from './request/tenant-requests';
import { setupCommands } from './setup/commands';
import { serverCommands } from './servers/commands';
import { Servers } from './servers/servers';
import type { Strategy } from './strategies/types';

export type { ContextOptions, TenantTx } from './request/tenant-requests';
export type { DeleteOptions, TenantInput } from './lifecycle/tenants';
export type { ExportOptions, ExportSummary, ImportOptions } from './lifecycle/archive';
export type { ArchiveManifest, ArchiveTable } from './archive/manifest';
export type { MoveOptions, MoveProgress, MoveStep, MoveSummary, MoveTarget } from './lifecycle/move';
export type { RotateOptions } from './setup/commands';
export { MAX_OVERLAP_SECONDS } from './setup/commands';
export type { MigrateProgress, MigrateOptions, MigrateSummary, MigrateFailure } from './lifecycle/migrate';
export type { InstallSummary } from './setup/placements';

export type Tenancy = ReturnType<typeof createTenancy>;

/** The library: one deployment's strategies, catalog and pools, wired to the request path, the lifecycle, setup and migrate. */
export function createTenancy(input: TenancyConfigInput) {
  const config = parseConfig(input);
  const servers = new Servers(config);
  const deployment = servers.primary.deployment;
  const parts: Parts = {
    config,
    deployment,
    catalog: new Catalog(deployment),
    servers,
    sharedTarget: ({ deployment: on }) => ({ schema: config.sharedSchema, migrations: on.migrations, tables: config.tenantTables, grantees: [on.appRole] }),
  };
  const { catalog } = parts;
  // Step names are the same on every server; the primary has every strategy.
  const strategies = servers.primary.strategies as Record<StrategyName, Strategy>;
  const provisioning = tenantProvisioning(parts);
  const { archive, ...archives } = tenantArchives(parts, provisioning);

  return {
    config,
    ...setupCommands(parts),
    ...tenantLifecycle(parts, provisioning, archive),
    ...archives,
    ...tenantMoves(parts, archive),
    ...tenantRequests(parts),
    getTenant: (key: string) => catalog.fresh(key),
    listTenants: () => catalog.list(),
    migrate: (options: MigrateOptions = {}) => migrateAll(parts, options),
    /** Reads every placement's catalog and reports isolation problems; `findings` is empty when safe. */
    audit: () => audit(parts),
    ...serverCommands(parts),
    /** Lifecycle step names per strategy, in the order the `beforeStep` hook sees them. */
    lifecycleSteps: (strategy: StrategyName) => ({
      provision: [...strategies[strategy].provisionSteps, 'activate'],
      destroy: [...strategies[strategy].destroySteps, 'forget'],
      import: [...strategies[strategy].provisionSteps, 'import.load', 'activate'],
      /** A move to this strategy: the target's provisioning inside the copy, then the pause, the switch and the old placement's removal. */
      move: ['move.copy', ...strategies[strategy].provisionSteps, 'move.pause', 'move.catch-up', 'move.switch', 'move.cleanup'],
    }),
    /** Per-tenant pools (database tenants) and their server connections, for the admin app. */
    poolStats: (): PoolStats => deployment.tenantPools.stats(),
    close: () => servers.close(),
  };
}
