import type { Catalog } from '../catalog/catalog';
import type { StrategyName } from '../catalog/types';
import type { PlacementCandidate, TenancyConfig } from '../config';
import { ServerNotOpenError, TenancyConfigError } from '../errors';
import type { Server, Servers } from './servers';
import { answers } from './unreachable';

/**
 * The server a new tenant goes to: the one it names, else the placement policy's choice among the open servers that
 * can hold it (for rls, those with shared tables: the primary unless shards are configured). A drained or read-only
 * server takes no new tenant, named or not.
 */
export async function chooseServer(
  config: TenancyConfig,
  servers: Servers,
  catalog: Catalog,
  tenant: { slug: string; strategy: StrategyName; server?: string | undefined },
): Promise<string> {
  const eligible = tenant.strategy === 'rls' ? servers.withSharedTables : servers.all;
  if (tenant.server !== undefined && !eligible.includes(servers.get(tenant.server))) throw servers.noSharedTables(tenant.server);
  // One server it can go to: nothing to choose, and nothing to read.
  if (tenant.server === undefined && eligible.length === 1) return eligible[0]!.name;
  const states = await catalog.serverStates();
  const stateOf = (name: string) => states.get(name) ?? 'open';
  if (tenant.server !== undefined) {
    if (stateOf(tenant.server) !== 'open') throw new ServerNotOpenError(tenant.server, stateOf(tenant.server));
    return tenant.server;
  }
  const open = eligible.filter((s) => stateOf(s.name) === 'open');
  if (open.length === 0) throw new ServerNotOpenError(eligible.map((s) => s.name).join('", "'), 'drained or read-only (every one of them)');
  const counts = await catalog.tenantCounts();
  const candidates: PlacementCandidate[] = open.map((s) => ({ name: s.name, tenants: counts.get(s.name) ?? 0 }));
  const { placement } = config;
  if (placement === 'fewest-tenants') return fewestTenants(open, candidates);
  if (placement === 'least-bytes') return leastBytes(open);
  const chosen = await placement(candidates, { slug: tenant.slug, strategy: tenant.strategy });
  if (!candidates.some((c) => c.name === chosen)) {
    throw new TenancyConfigError(
      `The placement policy chose ${JSON.stringify(chosen)}, which is not one of the open servers (${candidates.map((c) => c.name).join(', ')}).`,
    );
  }
  return chosen;
}

/**
 * The open server with the fewest tenants that answers; ties go to the earlier one. A server that is down is no
 * candidate: the new tenant's provisioning there would fail until it is back.
 */
async function fewestTenants(open: readonly Server[], candidates: readonly PlacementCandidate[]): Promise<string> {
  // sort() is stable: among ties the primary, then the order of `servers`, stays first.
  for (const candidate of [...candidates].sort((a, b) => a.tenants - b.tenants)) {
    if (await answers(open.find((s) => s.name === candidate.name)!)) return candidate.name;
  }
  throw new ServerNotOpenError(open.map((s) => s.name).join('", "'), 'unreachable (every open one)');
}

/** The candidate with the smallest measure; ties go to the earlier one (the primary, then the order of `servers`). */
function fewest<T extends { name: string }>(candidates: readonly T[], measure: (c: T) => number): string {
  let best = candidates[0]!;
  for (const candidate of candidates) if (measure(candidate) < measure(best)) best = candidate;
  return best.name;
}

/** The open server whose databases hold the fewest bytes; a server that cannot be reached is no candidate. */
async function leastBytes(open: readonly Server[]): Promise<string> {
  const sizes = await Promise.all(
    open.map(async (server) => {
      try {
        return { name: server.name, bytes: await serverBytes(server) };
      } catch {
        return undefined;
      }
    }),
  );
  const reachable = sizes.filter((s): s is { name: string; bytes: number } => s !== undefined);
  if (reachable.length === 0) throw new ServerNotOpenError(open.map((s) => s.name).join('", "'), 'unreachable (every open one)');
  return fewest(reachable, (s) => s.bytes);
}

/** Bytes of the deployment's database on the server and of the deployment's tenant databases there (its name prefix). */
export async function serverBytes(server: Server): Promise<number> {
  const { deployment } = server;
  const { rows } = await deployment.admin().query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_database_size(d.oid)), 0)::text AS bytes FROM pg_catalog.pg_database d
      WHERE d.datname = current_database() OR (starts_with(d.datname, $1) AND d.datname <> $2)`,
    [deployment.config.namePrefix, deployment.templateName],
  );
  return Number(rows[0]!.bytes);
}
