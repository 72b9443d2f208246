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
  /** The primary holds the catalog and the shared tables (every rls tenant). */
  primary: boolean;
  deployment: Deployment;
  /** rls only on the primary. */
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
    this.primary = { name: config.primaryName, primary: true, deployment: primary, strategies: strategiesOn(primary, true) };
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
      return { name: server.name, primary: false, deployment, strategies: strategiesOn(deployment, false) };
    });
    this.all = [this.primary, ...others];
    this.byName = new Map(this.all.map((s) => [s.name, s]));
  }

  get names(): string[] {
    return this.all.map((s) => s.name);
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
    if (!strategy) {
      throw new StrategyNotSupportedError(
        `rls tenants live in the primary server's shared tables ("${this.primary.name}"), not on "${server.name}": place them on the primary.`,
      );
    }
    return strategy;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((s) => s.deployment.close()));
  }
}

function strategiesOn(deployment: Deployment, primary: boolean): Partial<Record<StrategyName, Strategy>> {
  return {
    ...(primary ? { rls: new RlsStrategy(deployment) } : {}),
    schema: new SchemaStrategy(deployment),
    database: new DatabaseStrategy(deployment),
  };
}
