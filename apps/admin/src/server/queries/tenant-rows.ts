import 'server-only';

import type { Tenant } from '@repo/tenancy';

import { tenancy } from '../tenancy';

// Row counts per tenant table, and the bytes of those rows, read INSIDE each tenant's context
// (tenancy.withTenant as a viewer, through app_user and the tenant's own route): the same path a tenant
// request takes, for every strategy, so the numbers respect isolation and need no RLS-bypassing role.

export interface TenantRows {
  /** Rows per tenant table. */
  tables: Record<string, number>;
  total: number;
  /** sum(pg_column_size(row)) over the tenant's rows: payload only, no indexes or page overhead. */
  rowBytes: number;
}

// Table names come from the tenancy config (validated lowercase identifiers), never from a request.
let countSql: string | undefined;
function countStatement(): string {
  countSql ??= tenancy()
    .config.tenantTables.map(
      (table) => `SELECT '${table}'::text AS t, count(*)::bigint AS n, coalesce(sum(pg_column_size(x.*)), 0)::bigint AS bytes FROM "${table}" x`,
    )
    .join('\nUNION ALL\n');
  return countSql;
}

export async function tenantRows(tenant: Tenant): Promise<TenantRows> {
  const rows = await tenancy().withTenant(tenant.slug, async (tx) => (await tx.query<{ t: string; n: string; bytes: string }>(countStatement())).rows, {
    role: 'viewer',
  });
  const tables: Record<string, number> = {};
  let total = 0;
  let rowBytes = 0;
  for (const row of rows) {
    tables[row.t] = Number(row.n);
    total += Number(row.n);
    rowBytes += Number(row.bytes);
  }
  return { tables, total, rowBytes };
}

/** Row stats of every active tenant, a few at a time; a tenant that fails reports its error instead. */
export async function allTenantRows(tenants: Tenant[], concurrency = 4): Promise<Map<string, TenantRows | { error: string }>> {
  const result = new Map<string, TenantRows | { error: string }>();
  const queue = tenants.filter((t) => t.status === 'active');
  const worker = async () => {
    for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
      try {
        result.set(tenant.id, await tenantRows(tenant));
      } catch (error) {
        result.set(tenant.id, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}
