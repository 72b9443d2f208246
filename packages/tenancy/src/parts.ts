import type { Catalog } from './catalog/catalog';
import type { TenancyConfig } from './config';
import type { Deployment } from './deployment';
import type { MigrationTarget } from './migrations/apply';
import type { Server, Servers } from './servers/servers';

/** What one createTenancy() holds, handed to the request path, the lifecycle, setup and migrate. */
export interface Parts {
  config: TenancyConfig;
  /** The primary server's: the catalog, the shared tables, the control plane. */
  deployment: Deployment;
  catalog: Catalog;
  /** Every server, each with its own strategies: `servers.strategyOf(tenant)` is where a tenant is served. */
  servers: Servers;
  /** The shared tables' migration target on a server that holds them (the primary, or a shard). */
  sharedTarget: (server: Server) => MigrationTarget;
}
