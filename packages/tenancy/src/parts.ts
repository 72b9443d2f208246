import type { Catalog } from './catalog/catalog';
import type { StrategyName } from './catalog/types';
import type { TenancyConfig } from './config';
import type { Deployment } from './deployment';
import type { MigrationTarget } from './migrations/apply';
import type { Strategy } from './strategies/types';

/** What one createTenancy() holds, handed to the request path, the lifecycle, setup and migrate. */
export interface Parts {
  config: TenancyConfig;
  deployment: Deployment;
  catalog: Catalog;
  strategies: Record<StrategyName, Strategy>;
  /** The shared tables' migration target (rls tenants, the control plane's tenant-scoped tables). */
  sharedTarget: () => MigrationTarget;
}
