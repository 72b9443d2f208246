import 'server-only';

import type { StrategyName, Tenant, TenantStatus } from '@repo/tenancy';

import { operatorQuery } from '../operator-db';

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
  schema_version: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, slug, name, strategy, status, schema_name, database_name, role_name, schema_version, created_at, updated_at';

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
    schemaVersion: row.schema_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listTenants(): Promise<Tenant[]> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM tenancy.tenants ORDER BY created_at, slug`);
  return rows.map(toTenant);
}

export async function findTenant(slug: string): Promise<Tenant | null> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM tenancy.tenants WHERE slug = $1`, [slug]);
  return rows[0] ? toTenant(rows[0]) : null;
}

export async function findTenantById(id: string): Promise<Tenant | null> {
  const rows = await operatorQuery<CatalogRow>(`SELECT ${COLUMNS} FROM tenancy.tenants WHERE id = $1`, [id]);
  return rows[0] ? toTenant(rows[0]) : null;
}
