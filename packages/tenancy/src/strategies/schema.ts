import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import type { Deployment } from '../deployment';
import { applyMigrations, OWNER_ROLE, TRACKING_TABLE } from '../migrations/apply';
import { settledSchemas } from '../migrations/settled';
import { grantAssumable } from '../setup/install';
import { ensureRole, execFormatted } from '../setup/roles';
import { quoteIdent, searchPath } from '../sql/ident';
import { grantTenantRole } from './grants';
import { PIN_CONSTRAINT, pinPlacement } from './pin';
import { cloneSchema, unsupportedForClone } from './schema-clone';
import type { AuditPlacement, DestroyOptions, Placement, Route, Strategy, OwnerTransactionOptions } from './types';

/**
 * A schema per tenant in the deployment's database, owned by the owner role, with a group role
 * per tenant that has rights on that schema only. Requests run on the shared app pool and assume
 * the tenant's role for the transaction; row-level security still applies inside the schema.
 */
export class SchemaStrategy implements Strategy {
  readonly name = 'schema' as const;
  readonly provisionSteps = ['schema.role', 'schema.placement', 'schema.grants'] as const;
  readonly destroySteps = ['schema.drop', 'schema.role'] as const;

  constructor(private readonly deployment: Deployment) {}

  placementFor(slug: string): Placement {
    const name = this.deployment.placementName(slug);
    return { schemaName: name, databaseName: null, roleName: name };
  }

  async provision(tenant: Tenant): Promise<string | null> {
    const role = tenant.roleName!;
    await this.deployment.step('schema.role', tenant);
    await this.deployment.withAdmin(async (client) => {
      await ensureRole(client, role, { login: false });
      // The app role switches to the tenant's role inside each transaction (SET LOCAL ROLE), and holds none of its rights otherwise.
      await grantAssumable(client, role, this.deployment.appRole);
    });
    await this.deployment.step('schema.placement', tenant);
    await this.deployment.withAdmin((client) => this.createPlacement(client, tenant.schemaName));
    await this.deployment.step('schema.grants', tenant);
    return this.deployment.withAdmin((client) =>
      ownerTransaction(client, async () => {
        await grantTenantRole(client, tenant.schemaName, role, this.deployment.config.tenantTables);
        await pinPlacement(client, tenant.schemaName, this.deployment.config.tenantTables, tenant.id);
        return currentVersion(client, tenant.schemaName);
      }),
    );
  }

  async destroy(tenant: Tenant, options: DestroyOptions = {}): Promise<void> {
    await this.deployment.step('schema.drop', tenant);
    await this.deployment.withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(tenant.schemaName)} CASCADE`));
    await this.deployment.step('schema.role', tenant);
    // A database tenant's login role now: the app role must no longer be able to become it.
    if (options.keepRole) await this.deployment.withAdmin((client) => revokeMembership(client, tenant.roleName!, this.deployment.appRole));
    else await this.deployment.withAdmin((client) => dropRole(client, tenant.roleName!));
  }

  inPlacement<T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions): Promise<T> {
    return this.deployment.asTenantOwnerHere(tenant, fn, options);
  }

  auditPlacement(tenant: Tenant): AuditPlacement {
    return { kind: 'schema', schema: tenant.schemaName, role: tenant.roleName! };
  }

  route(tenant: Tenant): Route {
    return {
      connect: () => this.deployment.appPool.connect(),
      login: this.deployment.appLogin,
      searchPath: searchPath(tenant.schemaName, 'tenancy'),
      startsWith: this.deployment.appPoolSearchPath,
      role: tenant.roleName,
      server: this.deployment.server,
      pgbouncer: this.deployment.config.pooler.kind === 'pgbouncer',
    };
  }

  async migrate(tenant: Tenant): Promise<string | null> {
    return this.deployment.withAdmin(async (client) => {
      const { tenantTables } = this.deployment.config;
      const version = await applyMigrations(client, {
        schema: tenant.schemaName,
        migrations: this.deployment.migrations,
        tables: tenantTables,
        grantees: [tenant.roleName!],
      });
      await ownerTransaction(client, () => pinPlacement(client, tenant.schemaName, tenantTables, tenant.id));
      return version;
    });
  }

  async confirmVersions(tenants: readonly Tenant[], parallel: number): Promise<Map<string, string | null>> {
    const { migrations, latestMigration } = this.deployment;
    // The catalog may rule a tenant out (it records a version behind the newest: a migration is due, and
    // reading its tracking table would only confirm that), never in: the check below is what confirms.
    const placed = tenants.filter((t) => t.roleName !== null && t.schemaVersion === latestMigration);
    const settled = await settledSchemas(
      (fn) => this.deployment.withAdmin(fn),
      placed.map((t) => ({ schema: t.schemaName, role: t.roleName! })),
      { tags: migrations.map((m) => m.tag), tables: this.deployment.config.tenantTables, pinConstraint: PIN_CONSTRAINT },
      parallel,
    );
    return new Map(placed.filter((t) => settled.has(t.schemaName)).map((t) => [t.id, latestMigration]));
  }

  async migrateTemplate(): Promise<void> {
    await this.deployment.withAdmin((client) => this.ensureTemplate(client));
  }

  /** Schema and tables in one transaction: a crash leaves either no schema or a complete one. */
  private async createPlacement(client: pg.ClientBase, schema: string): Promise<void> {
    if (await hasTracking(client, schema)) return;
    const template = this.deployment.templateName;
    await this.ensureTemplate(client);
    const unsupported = await unsupportedForClone(client, template);
    await client.query('BEGIN');
    try {
      await ensureSchema(client, schema);
      await execFormatted(client, 'SET LOCAL ROLE %I', [OWNER_ROLE]);
      if (unsupported.length === 0) {
        await cloneSchema(client, template, schema);
        await client.query('COMMIT');
        return;
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // The template holds objects a clone cannot copy: apply the migrations instead.
    await applyMigrations(client, { schema, migrations: this.deployment.migrations, tables: [], grantees: [] });
  }

  private async ensureTemplate(client: pg.ClientBase): Promise<void> {
    const template = this.deployment.templateName;
    await ensureSchema(client, template);
    await applyMigrations(client, { schema: template, migrations: this.deployment.migrations, tables: [], grantees: [] });
  }
}

export async function ownerTransaction<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await execFormatted(client, 'SET LOCAL ROLE %I', [OWNER_ROLE]);
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function hasTracking(client: pg.ClientBase, schema: string): Promise<boolean> {
  const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${quoteIdent(schema)}.${TRACKING_TABLE}`]);
  return rows[0].present === true;
}

export async function currentVersion(client: pg.ClientBase, schema: string): Promise<string | null> {
  const { rows } = await client.query<{ tag: string }>(`SELECT max(tag) AS tag FROM ${quoteIdent(schema)}.${TRACKING_TABLE}`);
  return rows[0]?.tag ?? null;
}

async function revokeMembership(client: pg.ClientBase, role: string, member: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (rowCount) await execFormatted(client, 'REVOKE %I FROM %I', [role, member]);
}

/** Drops a per-tenant role and every privilege it holds in this database; a missing role is fine. */
export async function dropRole(client: pg.ClientBase, role: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (!rowCount) return;
  await execFormatted(client, 'DROP OWNED BY %I', [role]);
  await execFormatted(client, 'DROP ROLE IF EXISTS %I', [role]);
}

/**
 * CREATE SCHEMA IF NOT EXISTS still fails when two sessions race to create the same schema (the
 * template, when two tenants are provisioned at once): losing that race is fine.
 */
async function ensureSchema(client: pg.ClientBase, schema: string): Promise<void> {
  try {
    await execFormatted(client, 'CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', [schema, OWNER_ROLE]);
  } catch (error) {
    if (!['23505', '42P06'].includes((error as { code?: string }).code ?? '')) throw error;
  }
}
