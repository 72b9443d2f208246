import type { Tenant } from '../catalog/types.js';
import type { Deployment } from '../deployment.js';
import { quoteIdent } from '../sql/ident.js';
import type { Placement, Route, Strategy } from './types.js';

/** Shared tables, one set for every rls tenant, filtered by the tenant-isolation policy. */
export class RlsStrategy implements Strategy {
  readonly name = 'rls' as const;

  constructor(private readonly deployment: Deployment) {}

  placementFor(): Placement {
    return { schemaName: this.deployment.config.sharedSchema, databaseName: null, roleName: null };
  }

  async provision(): Promise<string | null> {
    // The shared tables are migrated by setup() and migrate(); a new rls tenant is only a catalog row.
    return this.deployment.latestMigration;
  }

  async destroy(tenant: Tenant): Promise<void> {
    const tables = this.deployment.config.tenantTables;
    await this.deployment.asTenantOwner(tenant, this.deployment.admin(), async (client) => {
      for (const table of tables) {
        await client.query(`DELETE FROM ${quoteIdent(tenant.schemaName)}.${quoteIdent(table)} WHERE tenant_id = $1`, [tenant.id]);
      }
    });
  }

  async exportRows(tenant: Tenant, tables: readonly string[]): Promise<Record<string, unknown[]>> {
    return this.deployment.asTenantOwner(tenant, this.deployment.admin(), async (client) => {
      const rows: Record<string, unknown[]> = {};
      for (const table of tables) {
        rows[table] = (await client.query(`SELECT * FROM ${quoteIdent(tenant.schemaName)}.${quoteIdent(table)} WHERE tenant_id = $1`, [tenant.id])).rows;
      }
      return rows;
    });
  }

  route(tenant: Tenant): Route {
    return { pool: this.deployment.appPool, searchPath: `${quoteIdent(tenant.schemaName)}, tenancy`, role: null };
  }

  async migrate(): Promise<string | null> {
    // Shared tables are migrated once for all rls tenants, before any tenant (see Tenancy.migrate).
    return this.deployment.latestMigration;
  }
}
