import type { StrategyName } from '../catalog/types';
import type { TenancyConfig } from '../config';
import { Deployment } from '../deployment';
import { StrategyNotSupportedError, UnknownServerError } from '../errors';
import { DatabaseStrategy } from '../strategies/database';
import { RlsStrategy } from '../strategies/rls';
import { SchemaStrategy } from '../strategies/schema';
import type { Strategy } from '../strategies/types';

/** One PostgreSQL server of the deployment: its connections (and connection cap) and the strategies that place tenants there. */
export interface Server {
  name: string;
  /** The primary holds the catalog and the control plane. */
  primary: boolean;
  /** Whether it holds (a shard of) the shared tables, so rls tenants: the primary always, another server when configured. */
  sharedTables: boolean;
  deployment: Deployment;
  /** rls only where the shared tables are. */
  strategies: Partial<Record<StrategyName, Strategy>>;
}

/** What locates a tenant: its strategy and its server (the catalog's row, or a placement being made). */
export interface Located {
  strategy: StrategyName;
  server: string;
}

/**
 * Every server of one createTenancy(): the primary (adminUrl/appUrl) and `servers`. Each has a Deployment of its own
 * (its URLs, pools and cap; the key, secrets and migrations are the deployment's), so a strategy placed on a server
 * reaches only that server.
 */
export class Servers {
  readonly primary: Server;
  readonly all: readonly Server[];
  private readonly byName: Map<string, Server>;

  constructor(config: TenancyConfig) {
    const primary = new Deployment(config, config.primaryName);
    this.primary = { name: config.primaryName, primary: true, sharedTables: true, deployment: primary, strategies: strategiesOn(primary, true) };
    const others = config.servers.map((server): Server => {
      const deployment = new Deployment(
        {
          ...config,
          adminUrl: server.adminUrl,
          appUrl: server.appUrl,
          // The operator reads the catalog, which only the primary holds.
          operatorUrl: undefined,
          pooler: server.pooler ?? config.pooler,
          maxConnections: server.maxConnections ?? config.maxConnections,
        },
        server.name,
      );
      return {
        name: server.name,
        primary: false,
        sharedTables: server.sharedTables,
        deployment,
        strategies: strategiesOn(deployment, server.sharedTables),
      };
    });
    this.all = [this.primary, ...others];
    this.byName = new Map(this.all.map((s) => [s.name, s]));
  }

  get names(): string[] {
    return this.all.map((s) => s.name);
  }

  /** The servers rls tenants can live on: the primary, then the shards of shared tables in the order of `servers`. */
  get withSharedTables(): Server[] {
    return this.all.filter((s) => s.sharedTables);
  }

  /** Why an rls tenant cannot be on `server`: it holds no shared tables. */
  noSharedTables(server: string): StrategyNotSupportedError {
    const holders = this.withSharedTables.map((s) => `"${s.name}"`).join(', ');
    return new StrategyNotSupportedError(
      `Server "${server}" holds no shared tables, so no rls tenant (set sharedTables on its entry in \`servers\` to make it a shard): rls tenants live on ${holders}.`,
    );
  }

  get(name: string): Server {
    const server = this.byName.get(name);
    if (!server) throw new UnknownServerError(name, this.names);
    return server;
  }

  /** The strategy that serves a tenant placed so. */
  strategyOf(located: Located): Strategy {
    const server = this.get(located.server);
    const strategy = server.strategies[located.strategy];
    if (!strategy) throw this.noSharedTables(server.name);
    return strategy;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((s) => s.deployment.close()));
  }
}

function strategiesOn(deployment: Deployment, sharedTables: boolean): Partial<Record<StrategyName, Strategy>> {
  return {
    ...(sharedTables ? { rls: new RlsStrategy(deployment) } : {}),
    schema: new SchemaStrategy(deployment),
    database: new DatabaseStrategy(deployment),
  };
}
