import { z } from 'zod';
import { archiveExists, assertWritable, writeArchive } from '../archive/write';
import { STRATEGIES, type StrategyName, type Tenant } from '../catalog/types';
import { InvalidTenantSlugError, TenantExistsError, TenancyConfigError } from '../errors';
import type { Parts } from '../parts';
import { SLUG_PATTERN } from '../sql/ident';

export interface DeleteOptions {
  /** Path of the JSON archive written before anything is deleted, or `false` to delete without one. */
  archive: string | false;
}

const createTenantInput = z.object({
  /** Optional fixed id (imports, deterministic seeds); a random uuid otherwise. */
  id: z.uuid({ error: 'id must be a uuid' }).optional(),
  slug: z.string(),
  name: z.string().trim().min(1, 'name must not be empty').max(200, 'name must be at most 200 characters'),
  strategy: z.enum(STRATEGIES, { error: `strategy must be one of ${STRATEGIES.join(', ')}` }),
});

/** Creating and deleting tenants: the catalog entry, then the strategy's steps, each one safe to run again. */
export function tenantLifecycle({ config, deployment, catalog, strategies }: Parts) {
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

  return { createTenant, deleteTenant };
}
