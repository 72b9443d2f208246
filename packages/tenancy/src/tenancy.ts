import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { z } from 'zod';
import { archiveExists, assertWritable, writeArchive } from './archive/write';
import { audit } from './audit/audit';
import { Catalog } from './catalog/catalog';
import { STRATEGIES, type StrategyName, type Tenant } from './catalog/types';
import { parseConfig, type TenancyConfig, type TenancyConfigInput } from './config';
import type { PreludeStatement } from './context/context-query';
import { TenantSession } from './context/session';
import { Deployment } from './deployment';
import { InvalidTenantSlugError, TenantExistsError, TenantNotActiveError, TenancyConfigError } from './errors';
import { migrateAll, type MigrateOptions } from './lifecycle/migrate';
import { explainPgBouncerLoginError } from './pgbouncer/login-error';
import type { PoolStats } from './pools/tenant-pools';
import { CONTEXT_SETTING } from './setup/context-functions';
import { installEverywhere, type InstallSummary } from './setup/placements';
import { SLUG_PATTERN, searchPath } from './sql/ident';
import { DatabaseStrategy } from './strategies/database';
import { RlsStrategy } from './strategies/rls';
import { SchemaStrategy } from './strategies/schema';
import type { Route, Strategy } from './strategies/types';

export interface ContextOptions {
  /** Control-plane user id (uuid) the request acts for; `current_user_id()` returns it. */
  userId?: string | undefined;
  /** The user's role in the tenant; `current_app_role()` returns it and role policies read it. */
  role: string;
}

export interface TenantTx {
  readonly tenant: Tenant;
  /** drizzle over the transaction's own client: every query runs inside the tenant context. */
  readonly db: NodePgDatabase;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface DeleteOptions {
  /** Path of the JSON archive written before anything is deleted, or `false` to delete without one. */
  archive: string | false;
}

export type { MigrateProgress, MigrateOptions, MigrateSummary } from './lifecycle/migrate';
export type { InstallSummary } from './setup/placements';

export interface RotateOptions {
  /** Seconds the replaced secret's tokens keep verifying (0 to 3600; default 0). */
  overlapSeconds?: number;
}

/** An overlap is for rolling the new secret out, not a second key: bounded, so an old secret cannot linger. */
export const MAX_OVERLAP_SECONDS = 3600;

const rotateOptions = z.object({
  overlapSeconds: z
    .number({ error: 'overlapSeconds must be a number of seconds' })
    .int('overlapSeconds must be a whole number of seconds')
    .min(0, 'overlapSeconds must not be negative')
    .max(MAX_OVERLAP_SECONDS, `overlapSeconds must be at most ${MAX_OVERLAP_SECONDS} (one hour)`)
    .default(0),
});

const createTenantInput = z.object({
  /** Optional fixed id (imports, deterministic seeds); a random uuid otherwise. */
  id: z.uuid({ error: 'id must be a uuid' }).optional(),
  slug: z.string(),
  name: z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters'),
  strategy: z.enum(STRATEGIES, { error: `strategy must be one of ${STRATEGIES.join(', ')}` }),
});

export type Tenancy = ReturnType<typeof createTenancy>;

export function createTenancy(input: TenancyConfigInput) {
  const config: TenancyConfig = parseConfig(input);
  const deployment = new Deployment(config);
  const catalog = new Catalog(deployment);
  const strategies: Record<StrategyName, Strategy> = {
    rls: new RlsStrategy(deployment),
    schema: new SchemaStrategy(deployment),
    database: new DatabaseStrategy(deployment),
  };

  async function activeTenant(key: string): Promise<Tenant> {
    const tenant = await catalog.resolve(key);
    if (tenant.status !== 'active') throw new TenantNotActiveError(tenant.slug, tenant.status);
    return tenant;
  }

  /** The transaction-local settings that go out with the first statement: signed context, search_path, role. */
  function contextSettings(tenant: Tenant, route: Route, options: ContextOptions): PreludeStatement {
    const token = deployment.tokens.get({ tenantId: tenant.id, userId: options.userId, role: options.role });
    const values = [CONTEXT_SETTING, token, 'search_path', route.searchPath];
    if (route.role) values.push('role', route.role);
    const assumeRole = route.role ? ', set_config($5, $6, true)' : '';
    return { text: `SELECT set_config($1, $2, true), set_config($3, $4, true)${assumeRole}`, values };
  }

  async function activeRoute(key: string, options: ContextOptions): Promise<{ tenant: Tenant; route: Route; settings: PreludeStatement }> {
    const tenant = await activeTenant(key);
    const route = strategies[tenant.strategy].route(tenant);
    return { tenant, route, settings: contextSettings(tenant, route, options) };
  }

  /** A refused connection through PgBouncer names the role and database; direct errors pass unchanged. */
  async function connect(route: Route): Promise<pg.PoolClient> {
    try {
      const client = await route.connect();
      // A server connection that dies while checked out (a pooler restart, a failover) surfaces
      // as the failed query's error; without a listener it would also crash the process.
      if (client.listenerCount('error') === 0) client.on('error', ignoreConnectionError);
      return client;
    } catch (error) {
      if (config.pooler.kind !== 'pgbouncer') throw error;
      throw explainPgBouncerLoginError(error, route.login);
    }
  }

  async function transaction<T>(tenant: Tenant, route: Route, settings: PreludeStatement, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    const client = await connect(route);
    const session = new TenantSession(client, settings);
    let db: NodePgDatabase | undefined;
    const tx: TenantTx = {
      tenant,
      get db() {
        db ??= drizzle({ client: session.drizzleClient() as unknown as pg.PoolClient });
        return db;
      },
      query: (text, params) => session.run({ text, values: params ?? [] }),
    };
    let rollbackFailed: Error | undefined;
    try {
      const result = await fn(tx);
      await session.commit();
      return result;
    } catch (error) {
      await session.rollback().catch((rollbackError: Error) => {
        rollbackFailed = rollbackError;
      });
      throw error;
    } finally {
      // A connection whose rollback failed, or that a statement took out of its transaction, is in an
      // unknown state: destroy it instead of pooling it.
      client.release(session.broken ?? rollbackFailed);
    }
  }

  async function withTenant<T>(key: string, fn: (tx: TenantTx) => Promise<T>, options: ContextOptions): Promise<T> {
    const { tenant, route, settings } = await activeRoute(key, options);
    return transaction(tenant, route, settings, fn);
  }

  /**
   * A transaction in the deployment's own database carrying the tenant's signed context, whatever
   * the tenant's strategy: for application tables that live beside the catalog (memberships,
   * billing) and filter by `tenancy.current_tenant_id()`. Tenant tables are not reachable here
   * for schema and database tenants: their rows live elsewhere.
   */
  async function withControlPlane<T>(key: string, fn: (tx: TenantTx) => Promise<T>, options: ContextOptions): Promise<T> {
    const tenant = await activeTenant(key);
    const route: Route = {
      connect: () => deployment.appPool.connect(),
      login: deployment.appLogin,
      searchPath: searchPath(config.sharedSchema, 'tenancy'),
      role: null,
    };
    return transaction(tenant, route, contextSettings(tenant, route, options), fn);
  }

  async function queryAs<R extends pg.QueryResultRow = pg.QueryResultRow>(
    key: string,
    text: string,
    params: unknown[] = [],
    options: ContextOptions = { role: config.contextRoles.default },
  ): Promise<pg.QueryResult<R>> {
    const { route, settings } = await activeRoute(key, options);
    const client = await connect(route);
    const session = new TenantSession(client, settings);
    try {
      // No BEGIN: the settings, the statement and the reset share one implicit transaction that ends at the Sync.
      return await session.runOnce<R>({ text, values: params });
    } finally {
      client.release(session.broken);
    }
  }

  function sharedTarget() {
    return { schema: config.sharedSchema, migrations: deployment.migrations, tables: config.tenantTables, grantees: [deployment.appRole] };
  }

  const placements = () => ({ deployment, catalog, strategies, sharedTarget });

  /**
   * Installs or updates everything, in every database the deployment serves from, and stores the
   * configured context key there. A database holding another key gets this one, and tokens of
   * the old key are refused at once (rotateContextSecret() offers an overlap).
   */
  async function setup(): Promise<void> {
    await installEverywhere(placements(), { key: deployment.key, overlapSeconds: 0, endOverlap: false });
  }

  /**
   * Makes the configured context secret the only one, in every placement, database tenants
   * included. Run it from a process started with the new secret. Tokens signed with the secret it
   * replaces keep verifying for `overlapSeconds` (at most an hour), time to restart the other
   * processes with the new secret; after that they are refused everywhere. Safe to run again.
   */
  async function rotateContextSecret(options: RotateOptions = {}): Promise<InstallSummary> {
    const parsed = rotateOptions.safeParse(options);
    if (!parsed.success) throw new TenancyConfigError(`Invalid rotation: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return installEverywhere(placements(), { key: deployment.key, overlapSeconds: parsed.data.overlapSeconds, endOverlap: true });
  }

  async function createTenant(input: { id?: string; slug: string; name: string; strategy: StrategyName }): Promise<Tenant> {
    if (typeof input?.slug !== 'string' || !SLUG_PATTERN.test(input.slug)) throw new InvalidTenantSlugError(input?.slug);
    const parsed = createTenantInput.safeParse(input);
    if (!parsed.success) throw new TenancyConfigError(`Invalid tenant: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { id, slug, name, strategy: strategyName } = parsed.data;
    const strategy = strategies[strategyName];
    let tenant: Tenant;
    try {
      tenant = await catalog.insert({ id, slug, name, strategy: strategyName, placement: strategy.placementFor(slug) });
    } catch (error) {
      if (!(error instanceof TenantExistsError)) throw error;
      // The same call finishes a provisioning that stopped half-way; anything else is a real clash.
      tenant = await catalog.fresh(slug, deployment.admin());
      if (tenant.status !== 'provisioning' || tenant.strategy !== strategyName) throw error;
    }
    const version = await strategy.provision(tenant);
    await deployment.step('activate', tenant);
    return catalog.update(tenant.id, { status: 'active', schemaVersion: version });
  }

  async function deleteTenant(key: string, options: DeleteOptions): Promise<void> {
    if (!options || (options.archive !== false && typeof options.archive !== 'string')) {
      throw new TenancyConfigError('deleteTenant needs { archive: "<file>" } to archive first, or { archive: false } to delete without an archive.');
    }
    let tenant = await catalog.fresh(key, deployment.admin());
    const strategy = strategies[tenant.strategy];
    // Checked before anything changes: a bad archive path must leave the tenant as it was.
    if (options.archive) await assertWritable(options.archive);
    const resumed = tenant.status === 'deleting';
    if (!resumed) {
      tenant = await catalog.update(tenant.id, { status: 'deleting' });
      // Other processes trust their cached catalog entry for catalogCacheMs: once that has
      // passed, none of them serves the tenant, so no write lands after the archive is taken.
      await new Promise((resolve) => setTimeout(resolve, config.catalogCacheMs));
    }
    // A resumed deletion may be half done: keep the archive the first attempt wrote.
    if (options.archive && !(resumed && archiveExists(options.archive))) {
      const tables = await strategy.exportRows(tenant, config.tenantTables);
      await writeArchive(options.archive, {
        format: 'tenancy-archive/v1',
        createdAt: new Date().toISOString(),
        tenant,
        schemaVersion: tenant.schemaVersion,
        tables,
      });
    }
    await strategy.destroy(tenant);
    deployment.tokens.forgetTenant(tenant.id);
    await deployment.step('forget', tenant);
    await catalog.remove(tenant);
  }

  return {
    config,
    setup,
    rotateContextSecret,
    createTenant,
    getTenant: (key: string) => catalog.fresh(key),
    listTenants: () => catalog.list(),
    withTenant,
    withControlPlane,
    queryAs,
    deleteTenant,
    migrate: (options: MigrateOptions = {}) => migrateAll({ deployment, catalog, strategies, sharedTarget }, options),
    /** Reads every placement's catalog and reports isolation problems; `findings` is empty when safe. */
    audit: () => audit(deployment, catalog, strategies),
    /** Lifecycle step names per strategy, in the order the `beforeStep` hook sees them. */
    lifecycleSteps: (strategy: StrategyName) => ({
      provision: [...strategies[strategy].provisionSteps, 'activate'],
      destroy: [...strategies[strategy].destroySteps, 'forget'],
    }),
    /** Per-tenant pools (database tenants) and their server connections, for the admin app. */
    poolStats: (): PoolStats => deployment.tenantPools.stats(),
    close: () => deployment.close(),
  };
}

function ignoreConnectionError(): void {
  // Reported to the caller by the query that was running; pg.Pool then discards the client.
}
