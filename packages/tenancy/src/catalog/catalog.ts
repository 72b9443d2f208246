import type pg from 'pg';
import type { Deployment } from '../deployment';
import { explainProofRefusal, InvalidTenantSlugError, TenantExistsError, TenantNotFoundError } from '../errors';
import { signProof } from '../context/token';
import { SLUG_PATTERN, isUuid } from '../sql/ident';
import { TENANT_COLUMNS } from './sql';
import { toTenant, type TenantRow } from './row';
import type { StrategyName, Tenant, TenantStatus } from './types';
import type { Placement } from '../strategies/types';

/** Reads and writes the tenant catalog; hot-path lookups are cached for `catalogCacheMs`. */
export class Catalog {
  private readonly cache = new Map<string, { tenant: Tenant; until: number }>();
  /** Lookups in flight by key: when an entry expires under load, the callers share one query. */
  private readonly pending = new Map<string, Promise<Tenant>>();
  /** Bumped by every change: a lookup that was in flight across one must not cache what it read. */
  private generation = 0;

  constructor(private readonly deployment: Deployment) {}

  /** Resolves a slug or id through the app role's lookup function (the app role cannot read the catalog). */
  async resolve(key: string): Promise<Tenant> {
    assertKey(key);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.tenant;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.lookupAndCache(key).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private async lookupAndCache(key: string): Promise<Tenant> {
    const generation = this.generation;
    const tenant = await this.lookup(this.deployment.appPool, key);
    if (generation !== this.generation) return tenant;
    const until = Date.now() + this.deployment.config.catalogCacheMs;
    this.cache.set(tenant.id, { tenant, until });
    this.cache.set(tenant.slug, { tenant, until });
    return tenant;
  }

  /** Uncached lookup, for lifecycle operations that must see the latest status. */
  async fresh(key: string, pool: pg.Pool = this.deployment.appPool): Promise<Tenant> {
    assertKey(key);
    return this.lookup(pool, key);
  }

  async list(): Promise<Tenant[]> {
    const { rows } = await this.deployment.admin().query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenancy.tenants ORDER BY created_at, slug`);
    return rows.map(toTenant);
  }

  async insert(input: { id?: string | undefined; slug: string; name: string; strategy: StrategyName; placement: Placement }): Promise<Tenant> {
    try {
      const { rows } = await this.deployment.admin().query<TenantRow>(
        `INSERT INTO tenancy.tenants (id, slug, name, strategy, schema_name, database_name, role_name)
         VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7) RETURNING ${TENANT_COLUMNS}`,
        [input.id ?? null, input.slug, input.name, input.strategy, input.placement.schemaName, input.placement.databaseName, input.placement.roleName],
      );
      return toTenant(rows[0]!);
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
        WHERE id = $1 RETURNING ${TENANT_COLUMNS}`,
      [id, change.status ?? null, change.schemaVersion !== undefined, change.schemaVersion ?? null],
    );
    if (!rows[0]) throw new TenantNotFoundError(id);
    const tenant = toTenant(rows[0]);
    this.forget(tenant);
    return tenant;
  }

  async remove(tenant: Tenant): Promise<void> {
    await this.deployment.admin().query('DELETE FROM tenancy.tenants WHERE id = $1', [tenant.id]);
    this.forget(tenant);
  }

  forget(tenant: Tenant): void {
    this.generation++;
    this.cache.delete(tenant.id);
    this.cache.delete(tenant.slug);
  }

  private async lookup(pool: pg.Pool, key: string): Promise<Tenant> {
    const { expires, signature } = signProof('resolve', key, this.deployment.key);
    const { rows } = await pool.query<TenantRow>('SELECT * FROM tenancy.resolve_tenant($1, $2, $3)', [key, expires, signature]).catch((error: unknown) => {
      throw explainProofRefusal(error);
    });
    if (!rows[0]) throw new TenantNotFoundError(key);
    return toTenant(rows[0]);
  }
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !(SLUG_PATTERN.test(key) || isUuid(key))) throw new InvalidTenantSlugError(key);
}
