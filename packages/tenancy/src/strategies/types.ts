import type pg from 'pg';
import type { StrategyName, Tenant } from '../catalog/types';
import type { KeyChange } from '../setup/context-key';

export interface OwnerTransactionOptions {
  /** One read-only snapshot for the whole transaction (REPEATABLE READ). */
  snapshot?: boolean;
}

/** A connection's login: the role and the database, as a pooler's refusal names them. */
export interface Login {
  user: string;
  database: string;
}

/** Where a tenant transaction runs and what it sets, transaction-locally, before the first statement. */
export interface Route {
  connect(): Promise<pg.PoolClient>;
  /** Who connect() logs in as, and where. */
  login: Login;
  /** search_path for the transaction: the tenant's placement first, then the tenancy functions. */
  searchPath: string;
  /** The search_path connect()'s connections start with and the session reset returns to; when it is searchPath, the transaction need not set it. */
  startsWith: string | null;
  /** Role to assume for the transaction, when the strategy has one per tenant. */
  role: string | null;
  /** The server connect() reaches, as the catalog names it. */
  server: string;
  /** Whether connect() goes through PgBouncer (whose refusals name a login, not a reason). */
  pgbouncer: boolean;
}

/** Names a placement will use, decided before anything is created so every step can be re-run. */
export interface Placement {
  schemaName: string;
  databaseName: string | null;
  roleName: string | null;
}

/**
 * What the audit inspects for one tenant, beyond the deployment's shared tables: a schema of its own in the
 * deployment's database (checked from there, with the role that uses it), or a database of its own (checked from
 * inside, and for who may connect to it).
 */
export type AuditPlacement = { kind: 'schema'; schema: string; role: string } | { kind: 'database'; database: string; role: string };

export interface DestroyOptions {
  /** Keep the role (stripped of this placement's rights): the new placement of a move on the same server uses it. */
  keepRole?: boolean;
  /** Keep the tenant's role password in the SecretsProvider: the new placement of a move is a database too (another server's). */
  keepSecret?: boolean;
}

/** One isolation strategy. The rest of the library never asks which one it holds. */
export interface Strategy {
  readonly name: StrategyName;
  /** Lifecycle step names, in order, as passed to the `beforeStep` hook. */
  readonly provisionSteps: readonly string[];
  readonly destroySteps: readonly string[];
  placementFor(slug: string): Placement;
  /** Creates what the tenant needs; each step idempotent. Returns the migration tag it is at. */
  provision(tenant: Tenant): Promise<string | null>;
  /**
   * Removes the tenant's data and objects; idempotent. With keepRole (the end of a move between
   * schema and database, whose placements share the role's name) the role stays, stripped of what
   * this strategy gave it.
   */
  destroy(tenant: Tenant, options?: DestroyOptions): Promise<void>;
  /**
   * Runs fn in an owner transaction on the tenant's placement that carries the tenant's maintenance
   * context: row-level security shows and accepts that tenant's rows only. Export and import use it.
   */
  inPlacement<T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions): Promise<T>;
  route(tenant: Tenant): Route;
  /** What the audit inspects for this tenant; null when the deployment-wide checks cover it (shared tables). */
  auditPlacement(tenant: Tenant): AuditPlacement | null;
  /** Brings one tenant's placement to the newest migration; returns its tag. */
  migrate(tenant: Tenant): Promise<string | null>;
  /**
   * migrate()'s fast path: of `tenants` (all of this strategy), those whose placement migrate(tenant)
   * would leave as it is, each with the tag migrate(tenant) would return, confirmed from the
   * placements themselves in a few statements, on up to `parallel` connections at once. Tenants
   * left out go through migrate(tenant).
   */
  confirmVersions?(tenants: readonly Tenant[], parallel: number): Promise<Map<string, string | null>>;
  /** Brings the strategy's shared parts (template schema or database) up to date, if it has any. */
  migrateTemplate?(): Promise<void>;
  /**
   * For strategies whose tenants live in databases of their own: brings the tenancy objects there
   * (context key, context and reset functions, revoked privileges) up to date. The others share the
   * deployment's database, which setup() covers. Returns false when there is no database (yet) to install into.
   */
  installTenancy?(tenant: Tenant, key: KeyChange): Promise<boolean>;
  /** The same for the strategy's template, when it has one and it exists. */
  installTemplateTenancy?(key: KeyChange): Promise<boolean>;
}
