import pg from 'pg';
import type { TenancyConfig } from './config';
import type { Tenant } from './catalog/types';
import { TokenCache } from './context/token-cache';
import { deriveKey } from './context/token';
import { StrategyNotSupportedError, TenancyConfigError } from './errors';
import { installPgBouncerAuth } from './pgbouncer/install';
import { OWNER_ROLE } from './migrations/apply';
import { readMigrations, type TenantMigration } from './migrations/folder';
import { TenantPools } from './pools/tenant-pools';
import type { SecretsProvider } from './secrets/provider';
import type { Login, OwnerTransactionOptions } from './strategies/types';
import { CONTEXT_SETTING } from './setup/context-functions';
import { quoteIdent, searchPath } from './sql/ident';
import { connectionFor, roleOf } from './sql/urls';

/** What every part of the library shares: config, pools, key, migrations. Built once per createTenancy. */
export class Deployment {
  readonly key: Buffer;
  readonly tokens: TokenCache;
  readonly appPool: pg.Pool;
  /**
   * The search_path the app pool's connections start with, and so the one RESET ALL (the session
   * reset) returns them to: the shared tables' first, for rls tenants and the control plane, whose
   * transactions then need not set it. Null where the library cannot set it at connect: behind
   * PgBouncer, which refuses startup options, or when the app URL brings options of its own.
   */
  readonly appPoolSearchPath: string | null;
  readonly tenantPools: TenantPools;
  private adminPool: pg.Pool | undefined;
  private loadedMigrations: TenantMigration[] | undefined;

  /**
   * @param config this server's view of the configuration: adminUrl, appUrl, pooler and maxConnections are its own.
   * @param server its name, as the catalog records it.
   */
  constructor(
    readonly config: TenancyConfig,
    readonly server: string = config.primaryName,
  ) {
    this.key = deriveKey(config.contextSecret);
    this.tokens = new TokenCache(this.key, config.contextTtlSeconds);
    this.appPoolSearchPath = config.pooler.kind === 'direct' && !hasOptions(config.appUrl) ? searchPath(config.sharedSchema, 'tenancy') : null;
    this.appPool = new pg.Pool({
      connectionString: config.appUrl,
      ...(this.appPoolSearchPath ? { options: startupSetting('search_path', this.appPoolSearchPath) } : {}),
      max: config.appPoolSize,
      idleTimeoutMillis: config.idleTimeoutMs,
      ...connectTimeout(config),
      Client: config.clientClass,
    });
    // An idle client's connection error must not crash the process; the next checkout reconnects.
    this.appPool.on('error', () => undefined);
    this.tenantPools = new TenantPools({
      maxConnections: config.maxConnections,
      perTenant: config.perTenantPoolSize,
      idleTimeoutMs: config.idleTimeoutMs,
      connectTimeoutMs: config.connectTimeoutMs,
      server,
      clientClass: config.clientClass,
    });
  }

  get appRole(): string {
    return roleOf(this.config.appUrl).name;
  }

  private appLoginCache: Login | undefined;

  /** Who the app pool logs in as, and where: what the shared-connection strategies' routes name in a login error. */
  get appLogin(): Login {
    this.appLoginCache ??= { user: this.appRole, database: decodeURIComponent(new URL(this.config.appUrl).pathname.slice(1)) };
    return this.appLoginCache;
  }

  /** The owner connection; only provisioning, migrations and maintenance use it. */
  admin(): pg.Pool {
    if (!this.config.adminUrl) {
      throw new TenancyConfigError(
        this.server === this.config.primaryName
          ? 'This operation needs adminUrl (the owner connection, direct to the server): set it in createTenancy().'
          : `This operation needs the adminUrl of server "${this.server}" (the owner connection, direct to the server): set it in its entry of \`servers\`.`,
      );
    }
    this.assertAdminIsDirect(this.config.adminUrl);
    if (!this.adminPool) {
      this.adminPool = new pg.Pool({
        connectionString: this.config.adminUrl,
        max: 4,
        idleTimeoutMillis: this.config.idleTimeoutMs,
        ...connectTimeout(this.config),
        Client: this.config.clientClass,
      });
      this.adminPool.on('error', () => undefined);
    }
    return this.adminPool;
  }

  /**
   * DDL through a transaction-mode PgBouncer would run each statement on whichever server
   * connection is free: CREATE DATABASE, session settings and multi-statement migrations break.
   */
  private assertAdminIsDirect(adminUrl: string): void {
    const { pooler, appUrl } = this.config;
    if (pooler.kind !== 'pgbouncer' || pooler.mode !== 'transaction') return;
    const endpoint = (url: string) => {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port || '5432'}`;
    };
    if (endpoint(adminUrl) === endpoint(appUrl)) {
      throw new StrategyNotSupportedError(
        `Provisioning, migrations and other DDL cannot run through PgBouncer in transaction mode (${endpoint(adminUrl)}): set adminUrl to the PostgreSQL server itself, not the pooler.`,
      );
    }
  }

  /** PgBouncer's auth_query lookup, installed where the pooler must find tenant roles (when configured). */
  async installPoolerAuth(client: pg.ClientBase): Promise<void> {
    const { pooler } = this.config;
    if (pooler.kind !== 'pgbouncer' || !pooler.authPassword) return;
    await installPgBouncerAuth(client, { authUser: pooler.authUser, authPassword: pooler.authPassword });
  }

  /** A pooled owner connection to the deployment's database for the length of fn. */
  async withAdmin<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.admin().connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  /** A short-lived owner connection to another database of the server (a tenant database, the template). */
  async adminClientFor<T>(database: string, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    this.admin();
    const ClientClass = this.config.clientClass ?? pg.Client;
    const client = new ClientClass({ ...connectionFor(this.config.adminUrl!, { database }), ...connectTimeout(this.config) });
    // Dropping a database (WITH FORCE) terminates this connection from the server side; the error then
    // belongs to the statement that was running, not to the process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  secrets(): SecretsProvider {
    if (!this.config.secrets) {
      throw new TenancyConfigError(
        'Database tenants need a SecretsProvider for their role passwords: set `secrets` in createTenancy() (env, file or database).',
      );
    }
    return this.config.secrets;
  }

  get migrations(): TenantMigration[] {
    if (!this.config.migrationsFolder) {
      throw new TenancyConfigError('This operation needs migrationsFolder (the tenant-table migrations): set it in createTenancy().');
    }
    this.loadedMigrations ??= readMigrations(this.config.migrationsFolder);
    return this.loadedMigrations;
  }

  get latestMigration(): string | null {
    return this.migrations.at(-1)?.tag ?? null;
  }

  /** Objects the deployment names itself; a slug cannot produce them (slugs start with a letter). */
  get templateName(): string {
    return `${this.config.namePrefix}_template`;
  }

  placementName(slug: string): string {
    return `${this.config.namePrefix}${slug}`;
  }

  async step(name: string, tenant: { slug: string }): Promise<void> {
    await this.config.beforeStep?.(name, tenant);
  }

  /**
   * Runs fn in an owner transaction that carries an admin context for the tenant: tenant tables
   * force row-level security even on their owner, so maintenance sees exactly one tenant's rows.
   */
  async asTenantOwner<T>(tenant: Tenant, client: pg.ClientBase, fn: (client: pg.ClientBase) => Promise<T>, options: OwnerTransactionOptions = {}): Promise<T> {
    // An export reads every table from one snapshot; without it, a write between two tables could tear a parent from its children.
    await client.query(options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
    try {
      await client.query(`SET LOCAL ROLE ${quoteIdent(OWNER_ROLE)}`);
      await client.query('SELECT set_config($1, $2, true), set_config($3, $4, true)', [
        CONTEXT_SETTING,
        this.tokens.get({ tenantId: tenant.id, role: this.config.contextRoles.maintenance }),
        'search_path',
        searchPath(tenant.schemaName, 'tenancy', 'pg_catalog'),
      ]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** asTenantOwner on a pooled owner connection to the deployment's database. */
  asTenantOwnerHere<T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions): Promise<T> {
    return this.withAdmin((client) => this.asTenantOwner(tenant, client, fn, options));
  }

  async close(): Promise<void> {
    await Promise.all([this.appPool.end(), this.adminPool?.end(), this.tenantPools.closeAll()]);
  }
}

/** pg's connection time-out, when the deployment sets one (0: none). */
export function connectTimeout(config: TenancyConfig): { connectionTimeoutMillis?: number } {
  return config.connectTimeoutMs > 0 ? { connectionTimeoutMillis: config.connectTimeoutMs } : {};
}

function hasOptions(url: string): boolean {
  try {
    return new URL(url).searchParams.has('options');
  } catch {
    return true;
  }
}

/** `-c name=value` for the startup packet's options, where a space separates arguments unless escaped. */
function startupSetting(name: string, value: string): string {
  return `-c ${name}=${value.replaceAll('\\', '\\\\').replaceAll(' ', '\\ ')}`;
}
