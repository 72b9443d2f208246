import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import { connectTimeout, type Deployment } from '../deployment';
import { applyMigrations, OWNER_ROLE } from '../migrations/apply';
import { generatePassword } from '../secrets/password';
import { install } from '../setup/install';
import type { KeyChange } from '../setup/context-key';
import { ensureRole, execFormatted, setLoginPassword } from '../setup/roles';
import { searchPath } from '../sql/ident';
import { connectionFor } from '../sql/urls';
import { grantTenantRole } from './grants';
import { pinPlacement } from './pin';
import { currentVersion, dropRole, ownerTransaction } from './schema';
import type { AuditPlacement, DestroyOptions, Placement, Route, Strategy, OwnerTransactionOptions } from './types';

const BUSY_TEMPLATE = '55006'; // object_in_use: someone is connected to the template

/**
 * A database per tenant, cloned from a template database that already holds the migrated tenant
 * tables and the tenancy functions. Each tenant has a login role, the only role besides the owner
 * allowed to connect; its password lives in the SecretsProvider. Requests use that tenant's pool.
 */
export class DatabaseStrategy implements Strategy {
  readonly name = 'database' as const;
  readonly provisionSteps = ['database.secret', 'database.role', 'database.create', 'database.grants'] as const;
  readonly destroySteps = ['database.pool', 'database.drop', 'database.role', 'database.secret'] as const;

  /** This process's one preparation of the template (concurrent provisions share it); migrate() clears it. */
  private templateReady: Promise<void> | undefined;

  constructor(private readonly deployment: Deployment) {}

  placementFor(slug: string): Placement {
    const name = this.deployment.placementName(slug);
    return { schemaName: 'public', databaseName: name, roleName: name };
  }

  async provision(tenant: Tenant): Promise<string | null> {
    const { databaseName: database, roleName: role } = names(tenant);
    await this.deployment.step('database.secret', tenant);
    const password = await this.ensureSecret(tenant.slug);
    await this.deployment.step('database.role', tenant);
    await this.deployment.withAdmin(async (client) => {
      await ensureRole(client, role, { login: true, password });
      // Also when the role survived an earlier attempt: its password must be the stored one.
      await setLoginPassword(client, role, password);
    });
    await this.deployment.step('database.create', tenant);
    await this.createDatabase(database);
    await this.deployment.step('database.grants', tenant);
    await this.deployment.withAdmin(async (client) => {
      await execFormatted(client, 'REVOKE ALL ON DATABASE %I FROM PUBLIC', [database]);
      await execFormatted(client, 'GRANT CONNECT ON DATABASE %I TO %I', [database, role]);
      // PgBouncer's auth_query runs in the tenant database as its lookup role.
      const { pooler } = this.deployment.config;
      if (pooler.kind === 'pgbouncer' && pooler.authPassword) await execFormatted(client, 'GRANT CONNECT ON DATABASE %I TO %I', [database, pooler.authUser]);
    });
    return this.deployment.adminClientFor(database, (client) =>
      ownerTransaction(client, async () => {
        await grantTenantRole(client, 'public', role, this.deployment.config.tenantTables);
        await pinPlacement(client, 'public', this.deployment.config.tenantTables, tenant.id);
        return currentVersion(client, 'public');
      }),
    );
  }

  async installTenancy(tenant: Tenant, key: KeyChange): Promise<boolean> {
    return this.installInto(names(tenant).databaseName, key);
  }

  async installTemplateTenancy(key: KeyChange): Promise<boolean> {
    return this.installInto(this.deployment.templateName, key);
  }

  private async installInto(database: string, key: KeyChange): Promise<boolean> {
    if (!(await this.databaseExists(database))) return false;
    await this.deployment.adminClientFor(database, (client) => this.installIn(client, key));
    return true;
  }

  private async installIn(client: pg.ClientBase, key: KeyChange): Promise<void> {
    await install(client, { key, appRole: { name: this.deployment.appRole }, sharedSchema: 'public', catalog: false, connect: null });
  }

  private async databaseExists(database: string): Promise<boolean> {
    const { rowCount } = await this.deployment.admin().query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return rowCount === 1;
  }

  async destroy(tenant: Tenant, options: DestroyOptions = {}): Promise<void> {
    const { databaseName: database, roleName: role } = names(tenant);
    await this.deployment.step('database.pool', tenant);
    await this.deployment.tenantPools.close(tenant.id);
    await this.deployment.step('database.drop', tenant);
    await this.deployment.withAdmin((client) => execFormatted(client, 'DROP DATABASE IF EXISTS %I WITH (FORCE)', [database]));
    await this.deployment.step('database.role', tenant);
    // A schema tenant's group role now: it logs in no more, and its password is gone.
    if (options.keepRole) await this.deployment.withAdmin((client) => execFormatted(client, 'ALTER ROLE %I NOLOGIN PASSWORD NULL', [role]));
    else await this.deployment.withAdmin((client) => dropRole(client, role));
    await this.deployment.step('database.secret', tenant);
    if (!options.keepSecret) await this.deployment.secrets().delete(tenant.slug);
  }

  inPlacement<T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions): Promise<T> {
    return this.deployment.adminClientFor(names(tenant).databaseName, (client) => this.deployment.asTenantOwner(tenant, client, fn, options));
  }

  auditPlacement(tenant: Tenant): AuditPlacement | null {
    // A tenant whose provisioning never named its database has nothing of its own yet.
    if (!tenant.roleName || !tenant.databaseName) return null;
    return { kind: 'database', database: tenant.databaseName, role: tenant.roleName };
  }

  route(tenant: Tenant): Route {
    const { databaseName: database, roleName: role } = names(tenant);
    const secrets = this.deployment.secrets();
    const config = () => ({
      ...connectTimeout(this.deployment.config),
      ...connectionFor(this.deployment.config.appUrl, {
        user: role,
        database,
        // Read at connect time, so a rotated password is picked up by the next connection.
        password: async () => {
          const secret = await secrets.get(tenant.slug);
          if (!secret) throw new Error(`No password for tenant "${tenant.slug}" in the SecretsProvider: re-run createTenant to restore it.`);
          return secret;
        },
      }),
    });
    return {
      connect: () => this.deployment.tenantPools.connect(tenant.id, config),
      login: { user: role, database },
      searchPath: searchPath('public', 'tenancy'),
      startsWith: null,
      role: null,
      server: this.deployment.server,
      pgbouncer: this.deployment.config.pooler.kind === 'pgbouncer',
    };
  }

  async migrate(tenant: Tenant): Promise<string | null> {
    const { databaseName: database, roleName: role } = names(tenant);
    return this.deployment.adminClientFor(database, async (client) => {
      const { tenantTables } = this.deployment.config;
      const version = await applyMigrations(client, { schema: 'public', migrations: this.deployment.migrations, tables: tenantTables, grantees: [role] });
      await ownerTransaction(client, () => pinPlacement(client, 'public', tenantTables, tenant.id));
      await this.deployment.installPoolerAuth(client);
      return version;
    });
  }

  /** The template: tenancy functions with the current key, migrated tenant tables; nobody else may connect. */
  async migrateTemplate(): Promise<void> {
    this.templateReady = undefined;
    await this.ensureTemplate();
  }

  private ensureTemplate(): Promise<void> {
    this.templateReady ??= this.prepareTemplate().catch((error: unknown) => {
      this.templateReady = undefined;
      throw error;
    });
    return this.templateReady;
  }

  private async prepareTemplate(): Promise<void> {
    const template = this.deployment.templateName;
    await this.deployment.withAdmin(async (client) => {
      // Other processes of the deployment may be preparing it too: concurrent CREATE DATABASE and CREATE OR REPLACE
      // of the same objects fail ("duplicate key", "tuple concurrently updated"), so one at a time. A session lock,
      // because the work spans this connection and one to the template; adminUrl is always a direct connection.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`tenancy.template:${template}`]);
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
        if (!rowCount) await createDatabaseOnce(client, `CREATE DATABASE %I OWNER %I`, [template, OWNER_ROLE]);
        await execFormatted(client, 'REVOKE ALL ON DATABASE %I FROM PUBLIC', [template]);
        await this.deployment.adminClientFor(template, async (templateClient) => {
          await this.installIn(templateClient, { key: this.deployment.key, overlapSeconds: 0, endOverlap: false });
          await applyMigrations(templateClient, { schema: 'public', migrations: this.deployment.migrations, tables: [], grantees: [] });
          // Every database cloned from the template inherits PgBouncer's lookup function.
          await this.deployment.installPoolerAuth(templateClient);
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`tenancy.template:${template}`]);
      }
    });
  }

  private async ensureSecret(slug: string): Promise<string> {
    const secrets = this.deployment.secrets();
    const existing = await secrets.get(slug);
    if (existing) return existing;
    const password = generatePassword();
    await secrets.set(slug, password);
    return password;
  }

  private async createDatabase(database: string): Promise<void> {
    await this.ensureTemplate();
    await this.deployment.withAdmin(async (client) => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (rowCount) return;
      const { rows } = await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
      // FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging every block: far faster for a small template.
      const strategy = rows[0]!.v >= 150000 ? ' STRATEGY FILE_COPY' : '';
      await createDatabaseOnce(client, `CREATE DATABASE %I OWNER %I TEMPLATE %I${strategy}`, [database, OWNER_ROLE, this.deployment.templateName]);
    });
  }
}

function names(tenant: Tenant): { databaseName: string; roleName: string } {
  return { databaseName: tenant.databaseName!, roleName: tenant.roleName! };
}

/** CREATE DATABASE, retried while the template is busy, and a lost race to create it counts as done. */
async function createDatabaseOnce(client: pg.ClientBase, template: string, args: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await execFormatted(client, template, args);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '42P04') return; // duplicate_database
      if (code !== BUSY_TEMPLATE || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
}
