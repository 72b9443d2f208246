import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import { quoteIdent } from '../sql/ident';

/** Every row of the tenant, per table, read inside an owner transaction that carries the tenant's context. */
export async function exportTenantRows(client: pg.ClientBase, tenant: Tenant, tables: readonly string[]): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    rows[table] = (await client.query(`SELECT * FROM ${quoteIdent(tenant.schemaName)}.${quoteIdent(table)} WHERE tenant_id = $1`, [tenant.id])).rows;
  }
  return rows;
}
