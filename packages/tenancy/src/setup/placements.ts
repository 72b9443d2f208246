import type { Tenant } from '../catalog/types';
import { ServerUnavailableError } from '../errors';
import { applyMigrations } from '../migrations/apply';
import type { Parts } from '../parts';
import type { Server } from '../servers/servers';
import { isUnreachable } from '../servers/unreachable';
import { ownerTransaction } from '../strategies/schema';
import { roleOf } from '../sql/urls';
import { writeContextKey, type KeyChange } from './context-key';
import { install } from './install';

/** What installing everywhere reads: the servers, their tenants and their strategies. */
export type Placements = Pick<Parts, 'deployment' | 'catalog' | 'servers' | 'sharedTarget'>;

export interface InstallSummary {
  /** Databases brought up to date: each server's, the templates, every tenant database. */
  databases: number;
}

/**
 * Installs or updates the tenancy objects in every database the deployment serves from, on every server, and stores
 * the context key there. The primary's key is written last: a run cut short leaves it as it was, so running the same
 * call again (setup() compares against it) walks every database again. A server that cannot be reached is skipped,
 * the others are done, and the call then fails with ServerUnavailableError naming it (its key stays unwritten
 * everywhere it matters: run the call again once it is back).
 */
export async function installEverywhere(parts: Placements, key: KeyChange): Promise<InstallSummary> {
  const { servers, catalog } = parts;
  // The primary first: on a new deployment this creates the catalog the tenants are then read from.
  await installDatabase(parts, servers.primary, key);
  const tenants = await catalog.list();
  let databases = 0;
  const unreachable: { server: string; error: unknown }[] = [];
  for (const server of servers.all) {
    try {
      if (!server.primary) await installDatabase(parts, server, key);
      databases += await installPlacements(parts, server, tenants, key);
    } catch (error) {
      if (server.primary || !isUnreachable(error)) throw error;
      unreachable.push({ server: server.name, error });
    }
  }
  if (unreachable.length > 0) {
    throw new ServerUnavailableError(unreachable.map((u) => u.server).join('", "'), { cause: unreachable[0]!.error });
  }
  await servers.primary.deployment.withAdmin((client) => ownerTransaction(client, () => writeContextKey(client, key)));
  return { databases };
}

/** A server's database for the deployment: the tenancy objects, the catalog on the primary, the shared tables where they are. */
async function installDatabase(parts: Placements, server: Server, key: KeyChange): Promise<void> {
  const { deployment } = server;
  const { config } = deployment;
  const appRole = roleOf(config.appUrl);
  const operatorRole = config.operatorUrl ? roleOf(config.operatorUrl) : undefined;
  await deployment.withAdmin(async (client) => {
    await install(client, {
      appRole,
      operatorRole,
      sharedSchema: config.sharedSchema,
      catalog: server.primary,
      connect: [appRole.name, ...(operatorRole ? [operatorRole.name] : [])],
      // The primary's key goes last (above); another server's database serves its schema tenants at once.
      ...(server.primary ? {} : { key }),
    });
    if (server.sharedTables) await applyMigrations(client, parts.sharedTarget(server));
    await deployment.installPoolerAuth(client);
  });
}

/** A server's templates and its tenants' databases; counts them with the server's own database. */
async function installPlacements(parts: Placements, server: Server, tenants: readonly Tenant[], key: KeyChange): Promise<number> {
  let databases = 1;
  for (const strategy of Object.values(server.strategies)) {
    if (await strategy.installTemplateTenancy?.(key)) databases++;
  }
  for (const tenant of tenants) {
    if (tenant.server !== server.name) continue;
    if (await parts.servers.strategyOf(tenant).installTenancy?.(tenant, key)) databases++;
  }
  return databases;
}
