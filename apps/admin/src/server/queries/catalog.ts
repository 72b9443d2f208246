import 'server-only';

import type { ServerState, StrategyName, Tenant, TenantStatus } from '@repo/tenancy';

import { operatorQuery } from '../operator-db';
import { tenancy } from '../tenancy';

// The tenant catalog, read as app_operator (SELECT on tenancy.tenants), never through the owner connection.

interface CatalogRow {
  id: string;
  slug: string;
  name: string;
  strategy: StrategyName;
  status: TenantStatus;
  schema_name: string;
  database_name: string | null;
  role_name: string | null;
  server: string | null;
  server_state: ServerState | null;
  schema_version: string | null;
  created_at: Date;
  updated_at: Date;
}

// A tenant's server is null in the catalog when it is the primary; a server's state has a row only when it is not open.
const COLUMNS =
  't.id, t.slug, t.name, t.strategy, t.status, t.schema_name, t.database_name, t.role_name, t.server, s.state AS server_state, t.schema_version, t.created_at, t.updated_at';
const FROM = 'tenancy.tenants t LEFT JOIN tenancy.servers s ON s.name = t.server';

function toTenant(row: CatalogRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    strategy: row.strategy,
    status: row.status,
    schemaName: row.schema_name,
    databaseName: row.database_name,
    roleName: row.role_name,
    server: row.server ?? tenancy().config.primaryName,
    serverState: row.server_state ?? 'open',
    schemaVersion: row.schema_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listTenants(): Promise<Tenant[]> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM ${FROM} ORDER BY t.created_at, t.slug`);
  return rows.map(toTenant);
}

export async function findTenant(slug: string): Promise<Tenant | null> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.slug = $1`, [slug]);
  return rows[0] ? toTenant(rows[0]) : null;
}

export async function findTenantById(id: string): Promise<Tenant | null> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.id = $1`, [id]);
  return rows[0] ? toTenant(rows[0]) : null;
}

/** Each server's state; a server without a row is open. */
export async function serverStates(): Promise<Map<string, ServerState>> {
  const rows = await operatorQuery<{ name: string; state: ServerState }>('SELECT name, state FROM tenancy.servers');
  return new Map(rows.map((r) => [r.name, r.state]));
}
