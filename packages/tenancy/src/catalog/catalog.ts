import type pg from 'pg';
import type { Deployment } from '../deployment';
import { explainProofRefusal, InvalidTenantSlugError, TenantExistsError, TenantNotActiveError, TenantNotFoundError } from '../errors';
import { signProof } from '../context/token';
import { SLUG_PATTERN, isUuid } from '../sql/ident';
import { TenantCache } from './cache';
import { TENANT_COLUMNS } from './sql';
import { toTenant, type TenantRow } from './row';
import type { ServerState, StrategyName, Tenant, TenantStatus } from './types';
import type { Placement } from '../strategies/types';

interface Entry {
  tenant: Tenant;
  /** The catalog's version when the entry was read. */
  version: string;
  /** Trusted until then: catalogCacheMs after a read or a confirmation that began before it. */
  until: number;
}

/** A read of the catalog's version, and when it began (a time before the server took its snapshot). */
interface Confirmation {
  version: string;
  at: number;
}

/**
 * Reads and writes the tenant catalog; hot-path lookups are cached for `catalogCacheMs`, for at most
 * `catalogCacheSize` tenants (the least recently used make room).
 *
 * An entry that has expired is confirmed, not looked up again, when the catalog's version (bumped
 * by every change to it) is still the one the entry was read at: one small read renews every entry
 * of the process, where a lookup renews one tenant's. Either way an entry is trusted at most
 * catalogCacheMs after a read that began after the last change it reflects, which is what a
 * lifecycle change waits for after marking a tenant.
 */
export class Catalog {
  private readonly cache: TenantCache<Entry>;
  /** Lookups in flight by key: when an entry expires under load, the callers share one query. */
  private readonly pending = new Map<string, Promise<Tenant>>();
  /** Bumped by every change: a lookup that was in flight across one must not cache what it read. */
  private generation = 0;
  private confirmed: Confirmation | undefined;
  private confirming: Promise<Confirmation | undefined> | undefined;

  constructor(private readonly deployment: Deployment) {
    this.cache = new TenantCache(deployment.config.catalogCacheSize);
  }

  private get primary(): string {
    return this.deployment.config.primaryName;
  }

  private toTenant(row: TenantRow): Tenant {
    return toTenant(row, this.primary);
  }

  /** How the catalog stores a server: null for the primary, so rows made before servers existed are the primary's. */
  private stored(server: string): string | null {
    return server === this.primary ? null : server;
  }

  /** Resolves a slug or id through the app role's lookup function (the app role cannot read the catalog). */
  async resolve(key: string): Promise<Tenant> {
    assertKey(key);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.tenant;
    if (hit && (await this.stillCurrent(hit))) return hit.tenant;
    return this.lookupOnce(key);
  }

  private lookupOnce(key: string): Promise<Tenant> {
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.lookupAndCache(key).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Renews an expired entry when the catalog has not changed since it was read. */
  private async stillCurrent(entry: Entry): Promise<boolean> {
    const generation = this.generation;
    const confirmation = await this.confirmation();
    if (!confirmation || confirmation.version !== entry.version || generation !== this.generation) return false;
    entry.until = Math.max(entry.until, confirmation.at + this.deployment.config.catalogCacheMs);
    return entry.until > Date.now();
  }

  /**
   * The catalog's version, read at most twice per catalogCacheMs by the whole process: a read less
   * than half that old is reused, so an entry it renews has at least half its time left.
   */
  private confirmation(): Promise<Confirmation | undefined> {
    const ttl = this.deployment.config.catalogCacheMs;
    if (this.confirmed && this.confirmed.at + ttl / 2 > Date.now()) return Promise.resolve(this.confirmed);
    this.confirming ??= this.readVersion()
      .then((confirmation) => (this.confirmed = confirmation))
      // A deployment whose setup() predates the version (or a failed read) falls back to lookups.
      .catch(() => undefined)
      .finally(() => (this.confirming = undefined));
    return this.confirming;
  }

  private async readVersion(): Promise<Confirmation> {
    const at = Date.now();
    const { expires, signature } = signProof('catalog', 'version', this.deployment.key);
    const { rows } = await this.deployment.appPool.query<{ version: string }>('SELECT tenancy.catalog_version($1, $2)::text AS version', [expires, signature]);
    return { version: rows[0]!.version, at };
  }

  private async lookupAndCache(key: string): Promise<Tenant> {
    const generation = this.generation;
    const at = Date.now();
    const { tenant, version } = await this.lookup(this.deployment.appPool, key);
    if (generation !== this.generation) return tenant;
    const entry: Entry = { tenant, version, until: at + this.deployment.config.catalogCacheMs };
    this.cache.set(entry);
    return tenant;
  }

  /** Uncached lookup, for lifecycle operations that must see the latest status. */
  async fresh(key: string, pool: pg.Pool = this.deployment.appPool): Promise<Tenant> {
    assertKey(key);
    return (await this.lookup(pool, key)).tenant;
  }

  async list(): Promise<Tenant[]> {
    const { rows } = await this.deployment
      .admin()
      .query<TenantRow>(
        `SELECT ${qualified('t')}, s.state AS server_state FROM tenancy.tenants t LEFT JOIN tenancy.servers s ON s.name = t.server ORDER BY t.created_at, t.slug`,
      );
    return rows.map((row) => this.toTenant(row));
  }

  async insert(input: { id?: string | undefined; slug: string; name: string; strategy: StrategyName; server: string; placement: Placement }): Promise<Tenant> {
    try {
      const { rows } = await this.deployment.admin().query<TenantRow>(
        `INSERT INTO tenancy.tenants (id, slug, name, strategy, schema_name, database_name, role_name, server)
         VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8) RETURNING ${RETURNED}`,
        [
          input.id ?? null,
          input.slug,
          input.name,
          input.strategy,
          input.placement.schemaName,
          input.placement.databaseName,
          input.placement.roleName,
          this.stored(input.server),
        ],
      );
      return this.toTenant(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new TenantExistsError(input.slug);
      throw error;
    }
  }

  async update(id: string, change: { status?: TenantStatus; schemaVersion?: string | null }): Promise<Tenant> {
    const { rows } = await this.deployment.admin().query<TenantRow>(
      `UPDATE tenancy.tenants
          SET status = coalesce($2, status),
              schema_version = CASE WHEN $3::boolean THEN $4 ELSE schema_version END,
              updated_at = now()
        WHERE id = $1 RETURNING ${RETURNED}`,
      [id, change.status ?? null, change.schemaVersion !== undefined, change.schemaVersion ?? null],
    );
    if (!rows[0]) throw new TenantNotFoundError(id);
    const tenant = this.toTenant(rows[0]);
    this.forget(tenant);
    return tenant;
  }

  /**
   * Points a moving tenant at its new placement and makes it active again, in one statement: the
   * switch of a move. Refused (TenantNotActiveError) unless the tenant is still `moving`.
   */
  async relocate(id: string, strategy: StrategyName, server: string, placement: Placement, schemaVersion: string | null): Promise<Tenant> {
    const { rows } = await this.deployment.admin().query<TenantRow>(
      `UPDATE tenancy.tenants
          SET strategy = $2, schema_name = $3, database_name = $4, role_name = $5, schema_version = $6, server = $7, status = 'active', updated_at = now()
        WHERE id = $1 AND status = 'moving' RETURNING ${RETURNED}`,
      [id, strategy, placement.schemaName, placement.databaseName, placement.roleName, schemaVersion, this.stored(server)],
    );
    if (!rows[0]) throw new TenantNotActiveError(id, 'not moving');
    const tenant = this.toTenant(rows[0]);
    this.forget(tenant);
    return tenant;
  }

  /**
   * Looks the key up again, past the cache: how a request waiting out a move sees it end. Requests
   * waiting on the same tenant share the lookup in flight, so a pause costs one lookup per poll, not
   * one per waiting request.
   */
  async refresh(key: string): Promise<Tenant> {
    assertKey(key);
    return this.lookupOnce(key);
  }

  /**
   * One statement for many tenants at one version (migrate()'s fast path). Only rows that differ are
   * written, and nothing is sent when none do: the catalog's version is bumped per statement, and
   * every process's cached entries are re-read after a bump.
   */
  async recordVersion(tenants: readonly Tenant[], version: string | null): Promise<void> {
    const stale = tenants.filter((t) => t.schemaVersion !== version);
    if (stale.length === 0) return;
    await this.deployment
      .admin()
      .query(`UPDATE tenancy.tenants SET schema_version = $2, updated_at = now() WHERE id = ANY($1::uuid[]) AND schema_version IS DISTINCT FROM $2`, [
        stale.map((t) => t.id),
        version,
      ]);
    for (const tenant of stale) this.forget(tenant);
  }

  /** Every server's state that is not open, by name (the primary's under its configured name). */
  async serverStates(): Promise<Map<string, ServerState>> {
    const { rows } = await this.deployment.admin().query<{ name: string; state: ServerState }>('SELECT name, state FROM tenancy.servers');
    return new Map(rows.map((r) => [r.name, r.state]));
  }

  /** Records a server's state; every process's cached entries renew (the change bumps the catalog's version). */
  async setServerState(server: string, state: ServerState): Promise<void> {
    await this.deployment
      .admin()
      .query(
        `INSERT INTO tenancy.servers (name, state) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = now() WHERE tenancy.servers.state IS DISTINCT FROM excluded.state`,
        [server, state],
      );
    this.generation++;
    this.cache.clear();
  }

  /** Tenants per server (every status), the primary's under its configured name. */
  async tenantCounts(): Promise<Map<string, number>> {
    const { rows } = await this.deployment
      .admin()
      .query<{ server: string | null; tenants: number }>('SELECT server, count(*)::int AS tenants FROM tenancy.tenants GROUP BY server');
    return new Map(rows.map((r) => [r.server ?? this.primary, r.tenants]));
  }

  async remove(tenant: Tenant): Promise<void> {
    await this.deployment.admin().query('DELETE FROM tenancy.tenants WHERE id = $1', [tenant.id]);
    this.forget(tenant);
  }

  forget(tenant: Tenant): void {
    this.generation++;
    this.cache.delete(tenant);
  }

  /** The row and the catalog's version, read by one statement and so from one snapshot. */
  private async lookup(pool: pg.Pool, key: string): Promise<{ tenant: Tenant; version: string }> {
    const proof = signProof('resolve', key, this.deployment.key);
    const version = signProof('catalog', 'version', this.deployment.key);
    const { rows } = await pool
      .query<TenantRow & { catalog_version: string }>(
        'SELECT r.*, tenancy.catalog_version($4, $5)::text AS catalog_version FROM tenancy.resolve_tenant($1, $2, $3) r',
        [key, proof.expires, proof.signature, version.expires, version.signature],
      )
      .catch((error: unknown) => {
        throw explainProofRefusal(error);
      });
    if (!rows[0]) throw new TenantNotFoundError(key);
    return { tenant: this.toTenant(rows[0]), version: rows[0].catalog_version };
  }
}

/** What a write returns: the row, and its server's state as a lookup reads it. */
const RETURNED = `${TENANT_COLUMNS}, (SELECT s.state FROM tenancy.servers s WHERE s.name = tenants.server) AS server_state`;

/** The catalog's columns, of the table aliased `alias`. */
function qualified(alias: string): string {
  return TENANT_COLUMNS.split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !(SLUG_PATTERN.test(key) || isUuid(key))) throw new InvalidTenantSlugError(key);
}
