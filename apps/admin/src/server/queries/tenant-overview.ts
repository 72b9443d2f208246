import 'server-only';

import { PLANS } from '@repo/db/plans';
import type { PlanStatus } from '@repo/db/plan-changes';
import { STRATEGIES, type StrategyName, type Tenant, type TenantStatus } from '@repo/tenancy';

import { tenancy } from '../tenancy';
import { listTenants } from './catalog';
import { planStatuses } from './plans';
import { currentDatabase, serverConnections, storageFacts } from './storage';
import { allTenantRows, type TenantRows } from './tenant-rows';

export const SORT_KEYS = ['slug', 'plan', 'strategy', 'server', 'status', 'created', 'version', 'size', 'rows', 'connections'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** How a tenant's size was measured; the page explains each. */
export type SizeBasis = 'database' | 'schema' | 'rows';

export interface TenantOverviewRow {
  tenant: Tenant;
  /** Its plan, and whether it is where the plan places it. */
  plan: PlanStatus;
  /** Bytes by `sizeBasis`; null when unknown (no privilege, or the tenant is not active). */
  sizeBytes: number | null;
  sizeBasis: SizeBasis;
  rows: TenantRows | null;
  rowsError: string | null;
  /** Server connections to the tenant's own database; null for tenants served by the shared app_user pool. */
  connections: number | null;
  /**
   * A schema or database tenant on another server than the primary: the statistics read here (the primary's, as
   * app_operator) do not see its schema or database, so its size and connections are left out (the Servers page
   * measures that server). Its rows are counted in its own context, on its server, as every tenant's are.
   */
  elsewhere: boolean;
}

export interface TenantOverview {
  rows: TenantOverviewRow[];
  /** Every tenant, before the filter: the charts and the counts above the table use these. */
  all: TenantOverviewRow[];
  perStrategy: Record<StrategyName, number>;
  sharedTablesBytes: number;
  sharedSchema: string;
  deploymentDatabase: string;
  connections: { total: number; deploymentDatabase: number; maxConnections: number };
}

export interface OverviewQuery {
  strategy?: StrategyName | undefined;
  status?: TenantStatus | undefined;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

export async function tenantOverview(query: OverviewQuery): Promise<TenantOverview> {
  const tenants = await listTenants();
  const { sharedSchema, tenantTables, primaryName } = tenancy().config;
  // Row counts first: they open this process's pools to database tenants, which the connection count then sees.
  const rowStats = await allTenantRows(tenants);
  const [storage, connections, deploymentDatabase, plans] = await Promise.all([
    storageFacts({
      schemas: tenants.filter((t) => t.strategy === 'schema').map((t) => t.schemaName),
      databases: tenants.flatMap((t) => (t.strategy === 'database' && t.databaseName ? [t.databaseName] : [])),
      sharedSchema,
      tenantTables,
    }),
    serverConnections(),
    currentDatabase(),
    planStatuses(tenants),
  ]);

  function measure(tenant: Tenant): Omit<TenantOverviewRow, 'plan'> {
    const stats = rowStats.get(tenant.id);
    const rows = stats && !('error' in stats) ? stats : null;
    const rowsError = stats && 'error' in stats ? stats.error : null;
    if (tenant.strategy !== 'rls' && tenant.server !== primaryName) {
      return { tenant, sizeBytes: null, sizeBasis: tenant.strategy, rows, rowsError, connections: null, elsewhere: true };
    }
    if (tenant.strategy === 'database') {
      const db = tenant.databaseName ?? '';
      return {
        tenant,
        sizeBytes: storage.databaseBytes.get(db) ?? null,
        sizeBasis: 'database',
        rows,
        rowsError,
        connections: connections.byDatabase.get(db) ?? 0,
        elsewhere: false,
      };
    }
    if (tenant.strategy === 'schema') {
      return {
        tenant,
        sizeBytes: storage.schemaBytes.get(tenant.schemaName) ?? null,
        sizeBasis: 'schema',
        rows,
        rowsError,
        connections: null,
        elsewhere: false,
      };
    }
    return { tenant, sizeBytes: rows?.rowBytes ?? null, sizeBasis: 'rows', rows, rowsError, connections: null, elsewhere: false };
  }
  const all = tenants.map((tenant): TenantOverviewRow => ({ ...measure(tenant), plan: plans.get(tenant.id)! }));

  const perStrategy = Object.fromEntries(STRATEGIES.map((s) => [s, tenants.filter((t) => t.strategy === s).length])) as Record<StrategyName, number>;
  const filtered = all.filter((r) => (!query.strategy || r.tenant.strategy === query.strategy) && (!query.status || r.tenant.status === query.status));
  return {
    rows: sortRows(filtered, query.sort, query.dir),
    all,
    perStrategy,
    sharedTablesBytes: storage.sharedTablesBytes,
    sharedSchema,
    deploymentDatabase,
    connections: {
      total: connections.total,
      deploymentDatabase: connections.byDatabase.get(deploymentDatabase) ?? 0,
      maxConnections: connections.maxConnections,
    },
  };
}

const SORT_VALUE: Record<SortKey, (row: TenantOverviewRow) => string | number | null> = {
  slug: (r) => r.tenant.slug,
  plan: (r) => PLANS.indexOf(r.plan.plan),
  strategy: (r) => r.tenant.strategy,
  status: (r) => r.tenant.status,
  created: (r) => r.tenant.createdAt.getTime(),
  version: (r) => r.tenant.schemaVersion,
  server: (r) => r.tenant.server,
  size: (r) => r.sizeBytes,
  rows: (r) => r.rows?.total ?? null,
  connections: (r) => r.connections,
};

function sortRows(rows: TenantOverviewRow[], key: SortKey, dir: 'asc' | 'desc'): TenantOverviewRow[] {
  const value = SORT_VALUE[key];
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    // Unknown values last, whichever the direction.
    if (x === null || y === null) return x === y ? a.tenant.slug.localeCompare(b.tenant.slug) : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return order * sign || a.tenant.slug.localeCompare(b.tenant.slug);
  });
}
