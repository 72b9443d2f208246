import { SERVER_STATES, type ServerState } from '../catalog/types';
import { TenancyConfigError } from '../errors';
import type { Parts } from '../parts';
import type { PoolStats } from '../pools/tenant-pools';
import { serverBytes } from './placement';
import { isUnreachable } from './unreachable';

export interface ServerInfo {
  name: string;
  /** The primary holds the catalog and the control plane. */
  primary: boolean;
  /** Whether it holds (a shard of) the shared tables, so rls tenants can be placed there. */
  sharedTables: boolean;
  state: ServerState;
  /** Tenants the catalog places there, of every status. */
  tenants: number;
  /** Bytes of the deployment's databases there; null when the server could not be reached. */
  bytes: number | null;
  /** Whether the server answered. */
  reachable: boolean;
  /** Why it did not, when it did not. */
  error?: string;
  /** This process's per-tenant pools on that server, against its cap. */
  pools: PoolStats;
}

/** The servers of the deployment, for operators: what each holds, its state, whether it answers. */
export function serverCommands({ servers, catalog }: Parts) {
  async function listServers(): Promise<ServerInfo[]> {
    const [states, counts] = await Promise.all([catalog.serverStates(), catalog.tenantCounts()]);
    return Promise.all(
      servers.all.map(async (server): Promise<ServerInfo> => {
        const base = {
          name: server.name,
          primary: server.primary,
          sharedTables: server.sharedTables,
          state: states.get(server.name) ?? 'open',
          tenants: counts.get(server.name) ?? 0,
          pools: server.deployment.tenantPools.stats(),
        };
        try {
          return { ...base, bytes: await serverBytes(server), reachable: true };
        } catch (error) {
          if (!isUnreachable(error)) throw error;
          return { ...base, bytes: null, reachable: false, error: (error as Error).message };
        }
      }),
    );
  }

  /**
   * Drains a server (it serves its tenants and takes no new ones), marks it read-only for maintenance (its tenants'
   * transactions are read-only from every process's next catalog renewal, within catalogCacheMs), or opens it again.
   */
  async function setServerState(name: string, state: ServerState): Promise<void> {
    servers.get(name);
    if (!SERVER_STATES.includes(state)) throw new TenancyConfigError(`Server state must be one of ${SERVER_STATES.join(', ')}, not ${JSON.stringify(state)}.`);
    if (state === 'read_only' && name === servers.primary.name) {
      throw new TenancyConfigError(
        `The primary server ("${name}") holds the catalog and the shared tables: it can be drained, not made read-only (every request needs it).`,
      );
    }
    await catalog.setServerState(name, state);
  }

  return { listServers, setServerState };
}
