import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import type { Deployment } from '../deployment';
import { TenancyConfigError } from '../errors';
import { quoteIdent, searchPath } from '../sql/ident';
import { currentVersion } from './schema';
import type { Placement, Route, Strategy, OwnerTransactionOptions } from './types';

/** Shared tables, one set for every rls tenant, filtered by the tenant-isolation policy. */
export class RlsStrategy implements Strategy {
  readonly name = 'rls' as const;
  readonly provisionSteps: readonly string[] = [];
  readonly destroySteps = ['rls.rows'] as const;

  constructor(private readonly deployment: Deployment) {}

  placementFor(): Placement {
    return { schemaName: this.deployment.config.sharedSchema, databaseName: null, roleName: null };
  }

  async provision(): Promise<string | null> {
    // The shared tables are migrated by setup() and migrate(); a new rls tenant is only a catalog row.
    return this.deployment.latestMigration;
  }

  async destroy(tenant: Tenant): Promise<void> {
    await this.deployment.step('rls.rows', tenant);
    const tables = this.deployment.config.tenantTables;
    // One transaction, children first: a crash deletes all of the tenant's rows or none.
    await this.deployment.asTenantOwnerHere(tenant, async (client) => {
      for (const table of tables) {
        const target = `${quoteIdent(tenant.schemaName)}.${quoteIdent(table)}`;
        await client.query(`DELETE FROM ${target} WHERE tenant_id = $1`, [tenant.id]);
        // A delete policy that does not admit the maintenance role skips rows without an error: the
        // tenant would be gone from the catalog with its rows still in the shared tables.
        const { rows } = await client.query<{ left: number }>(`SELECT count(*)::int AS left FROM ${target} WHERE tenant_id = $1`, [tenant.id]);
        if (rows[0]!.left > 0) {
          throw new TenancyConfigError(
            `${rows[0]!.left} row(s) of "${tenant.slug}" in ${table} were not deleted: the table's delete policy must admit the maintenance role "${this.deployment.config.contextRoles.maintenance}" (contextRoles.maintenance). Nothing was deleted.`,
          );
        }
      }
    });
  }

  inPlacement<T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions): Promise<T> {
    return this.deployment.asTenantOwnerHere(tenant, fn, options);
  }

  route(tenant: Tenant): Route {
    return {
      connect: () => this.deployment.appPool.connect(),
      login: this.deployment.appLogin,
      searchPath: searchPath(tenant.schemaName, 'tenancy'),
      startsWith: this.deployment.appPoolSearchPath,
      role: null,
      server: this.deployment.server,
      pgbouncer: this.deployment.config.pooler.kind === 'pgbouncer',
    };
  }

  auditPlacement(): null {
    // The shared tables are the deployment's: the audit checks them whether or not an rls tenant exists.
    return null;
  }

  /** Every rls tenant is at the shared tables' version: one read answers for all of them. */
  async confirmVersions(tenants: readonly Tenant[]): Promise<Map<string, string | null>> {
    if (tenants.length === 0) return new Map();
    const version = await this.migrate();
    return new Map(tenants.map((t) => [t.id, version]));
  }

  migrate(): Promise<string | null> {
    // Shared tables are migrated once for all rls tenants, before any tenant (see migrate()):
    // an rls tenant is at whatever version the shared tables reached.
    return this.deployment.withAdmin((client) => currentVersion(client, this.deployment.config.sharedSchema));
  }
}
