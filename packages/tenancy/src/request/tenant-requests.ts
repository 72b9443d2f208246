import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Tenant } from '../catalog/types';
import type { PreludeStatement } from '../context/context-query';
import { TenantSession } from '../context/session';
import { TenantContextError, TenantNotActiveError, TenantPlacementMissingError } from '../errors';
import type { Parts } from '../parts';
import { explainPgBouncerLoginError } from '../pgbouncer/login-error';
import { explainUnreachable } from '../servers/unreachable';
import { CONTEXT_SETTING } from '../setup/context-functions';
import { searchPath } from '../sql/ident';
import type { Route } from '../strategies/types';

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

/** How often a request waiting out a move looks at the catalog again. */
const MOVE_POLL_MS = 25;

/** The request path: a tenant's route, its signed transaction-local context, and the transaction around the caller's statements. */
export function tenantRequests({ config, deployment, catalog, servers }: Parts) {
  async function activeTenant(key: string): Promise<Tenant> {
    let tenant = await catalog.resolve(key);
    if (tenant.status === 'moving') tenant = await afterMove(key);
    if (tenant.status !== 'active') throw new TenantNotActiveError(tenant.slug, tenant.status);
    return tenant;
  }

  /**
   * A moving tenant is paused while its last writes are carried over and its catalog entry switches:
   * its requests wait for that (up to movePauseLimitMs), then run on whichever placement it has then.
   */
  async function afterMove(key: string): Promise<Tenant> {
    const deadline = Date.now() + config.movePauseLimitMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, MOVE_POLL_MS));
      const tenant = await catalog.refresh(key);
      if (tenant.status !== 'moving' || Date.now() > deadline) return tenant;
    }
  }

  /**
   * The catalog hands out one Tenant object while its entry is cached, so its route and its
   * settings statements are built once per entry instead of once per call. A new entry (a change,
   * a lookup) is a new object and starts afresh.
   */
  const prepared = new WeakMap<Tenant, { route: Route; settings: Map<string, PreludeStatement> }>();
  const MAX_SETTINGS_PER_TENANT = 256;

  function routeOf(tenant: Tenant): { route: Route; settings: Map<string, PreludeStatement> } {
    let entry = prepared.get(tenant);
    if (!entry) {
      // A tenant served from elsewhere now keeps no pool of its database here. Such a pool's connections logged in
      // to a database (and, through PgBouncer, with a password) that a move has dropped since: PgBouncer keeps serving
      // those clients with the old password's keys, so if the tenant moved back to a database of its own (a new
      // password), every request through them would wait for a server login that keeps failing.
      // The same for a tenant moved to another server.
      for (const server of servers.all) {
        if (tenant.strategy === 'database' && tenant.server === server.name) continue;
        void server.deployment.tenantPools.close(tenant.id).catch(() => undefined);
      }
      entry = { route: servers.strategyOf(tenant).route(tenant), settings: new Map() };
      prepared.set(tenant, entry);
    }
    return entry;
  }

  /** The transaction-local settings that go out with the first statement: signed context, search_path, role. */
  function contextSettings(tenant: Tenant, route: Route, options: ContextOptions, cache?: Map<string, PreludeStatement>): PreludeStatement {
    if (typeof options !== 'object' || options === null)
      throw new TenantContextError('The tenant context needs options { role, userId? }: the role the request acts in.');
    const token = deployment.tokens.get({ tenantId: tenant.id, userId: options.userId, role: options.role });
    const hit = cache?.get(token);
    if (hit) return hit;
    const settings = settingsStatement([
      [CONTEXT_SETTING, token],
      // A read-only server (maintenance): once the transaction has run a statement, SQL in it cannot make it read-write
      // again. Only on that server: the control plane (the primary, never read-only) stays writable for its tenants.
      ...(tenant.serverState === 'read_only' && route.server === tenant.server ? [['transaction_read_only', 'on'] as const] : []),
      // A connection starts each transaction on its startup search_path (the reset returns it there): set only another.
      ...(route.searchPath === route.startsWith ? [] : [['search_path', route.searchPath] as const]),
      ...(route.role ? [['role', route.role] as const] : []),
    ]);
    if (cache) {
      // Tokens are renewed as they age: old ones are dropped wholesale rather than tracked.
      if (cache.size >= MAX_SETTINGS_PER_TENANT) cache.clear();
      cache.set(token, settings);
    }
    return settings;
  }

  async function activeRoute(key: string, options: ContextOptions): Promise<{ tenant: Tenant; route: Route; settings: PreludeStatement }> {
    const tenant = await activeTenant(key);
    const { route, settings } = routeOf(tenant);
    return { tenant, route, settings: contextSettings(tenant, route, options, settings) };
  }

  /**
   * A refused connection through PgBouncer names the role and database; a tenant database that is
   * gone names the tenant; other direct errors pass unchanged.
   */
  async function connect(route: Route, tenant: Tenant): Promise<pg.PoolClient> {
    try {
      const client = await route.connect();
      // A server connection that dies while checked out (a pooler restart, a failover) surfaces
      // as the failed query's error; without a listener it would also crash the process.
      if (client.listenerCount('error') === 0) client.on('error', ignoreConnectionError);
      return client;
    } catch (error) {
      const unreachable = explainUnreachable(error, route.server);
      if (unreachable !== error) throw unreachable;
      if (!route.pgbouncer) throw explainMissingDatabase(error, tenant, route);
      throw explainPgBouncerLoginError(error, route.login);
    }
  }

  async function transaction<T>(tenant: Tenant, route: Route, settings: PreludeStatement, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    const client = await connect(route, tenant);
    const session = new TenantSession(client, settings, route.pgbouncer);
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
      startsWith: deployment.appPoolSearchPath,
      role: null,
      server: deployment.server,
      pgbouncer: config.pooler.kind === 'pgbouncer',
    };
    return transaction(tenant, route, contextSettings(tenant, route, options), fn);
  }

  async function queryAs<R extends pg.QueryResultRow = pg.QueryResultRow>(
    key: string,
    text: string,
    params: unknown[] = [],
    options: ContextOptions = { role: config.contextRoles.default },
  ): Promise<pg.QueryResult<R>> {
    const { tenant, route, settings } = await activeRoute(key, options);
    const client = await connect(route, tenant);
    const session = new TenantSession(client, settings, route.pgbouncer);
    try {
      // No BEGIN: the settings, the statement and the reset share one implicit transaction that ends at the Sync.
      return await session.runOnce<R>({ text, values: params });
    } finally {
      client.release(session.broken);
    }
  }

  return { withTenant, withControlPlane, queryAs };
}

/** One SELECT of transaction-local set_config calls by how many settings it makes; every name and value is a bind parameter. */
const SETTINGS_TEXT = [
  'SELECT set_config($1, $2, true)',
  'SELECT set_config($1, $2, true), set_config($3, $4, true)',
  'SELECT set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true)',
  'SELECT set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true), set_config($7, $8, true)',
] as const;

function settingsStatement(pairs: readonly (readonly [string, string])[]): PreludeStatement {
  const text = SETTINGS_TEXT[pairs.length - 1];
  if (!text) throw new Error(`${pairs.length} transaction settings: the library makes one to four`);
  return { text, values: pairs.flat() };
}

/** The server's "database does not exist" for a tenant's own database: it was dropped outside the library. */
function explainMissingDatabase(error: unknown, tenant: Tenant, route: Route): unknown {
  if ((error as { code?: string })?.code !== '3D000' || tenant.databaseName !== route.login.database) return error;
  return new TenantPlacementMissingError(tenant.slug, `database "${tenant.databaseName}"`, { cause: error });
}

function ignoreConnectionError(): void {
  // Reported to the caller by the query that was running; pg.Pool then discards the client.
}
