import type { ServerState, StrategyName, Tenant, TenantStatus } from './types';

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  strategy: string;
  status: string;
  schema_name: string;
  database_name: string | null;
  role_name: string | null;
  /** Null: the primary (rows from before there were servers, and the primary's own). */
  server: string | null;
  /** Only from resolve_tenant and list(), which join the server's state; open when absent. */
  server_state?: string | null;
  schema_version: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toTenant(row: TenantRow, primary: string): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    strategy: row.strategy as StrategyName,
    status: row.status as TenantStatus,
    schemaName: row.schema_name,
    databaseName: row.database_name,
    roleName: row.role_name,
    server: row.server ?? primary,
    serverState: (row.server_state ?? 'open') as ServerState,
    schemaVersion: row.schema_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
