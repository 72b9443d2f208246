import type { StrategyName, Tenant, TenantStatus } from './types';

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  strategy: string;
  status: string;
  schema_name: string;
  database_name: string | null;
  role_name: string | null;
  schema_version: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    strategy: row.strategy as StrategyName,
    status: row.status as TenantStatus,
    schemaName: row.schema_name,
    databaseName: row.database_name,
    roleName: row.role_name,
    schemaVersion: row.schema_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
