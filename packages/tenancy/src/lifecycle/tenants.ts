import { z } from 'zod';
import { archiveExists, assertWritable } from '../archive/files';
import { STRATEGIES, type StrategyName, type Tenant } from '../catalog/types';
import { InvalidTenantSlugError, TenantExistsError, TenancyConfigError, TenantNotFoundError } from '../errors';
import type { Parts } from '../parts';
import { chooseServer } from '../servers/placement';
import { explainUnreachable } from '../servers/unreachable';
import { SLUG_PATTERN } from '../sql/ident';

export interface DeleteOptions {
  /** Path of the archive (.tar.gz, see exportTenant) written before anything is deleted, or `false` to delete without one. */
  archive: string | false;
}

export interface TenantInput {
  /** Optional fixed id (restores, deterministic seeds); a random uuid otherwise. */
  id?: string;
  slug: string;
  name: string;
  strategy: StrategyName;
  /**
   * The server for the tenant (config `primaryName` or a name in `servers`); omitted, the placement
   * policy chooses among the open servers (for rls, those with shared tables: the primary unless shards are configured).
   */
  server?: string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const tenantInput = z.object({
  id: z.uuid({ error: 'id must be a uuid' }).optional(),
  slug: z.string(),
  name: z
    .string()
    .trim()
    .min(1, 'name must not be empty')
    .max(200, 'name must be at most 200 characters')
    .refine((name) => !name.includes('\u0000'), 'name must not contain a NUL byte (PostgreSQL text cannot hold one)')
    // A lone surrogate has no UTF-8 form: the driver would store U+FFFD instead, and the name would not come back as given.
    .refine((name) => !LONE_SURROGATE.test(name), 'name must be valid Unicode (it holds half of a surrogate pair)'),
  strategy: z.enum(STRATEGIES, { error: `strategy must be one of ${STRATEGIES.join(', ')}` }),
  server: z.string({ error: 'server must be a server name' }).optional(),
});

/** An issue's message, led by the field it is about unless it names it already ("name must not be empty"). */
function issueText(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.');
  return field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
}

/** The steps of bringing a tenant into being, for createTenant and for the imports that fill it before it serves. */
export type Provisioning = ReturnType<typeof tenantProvisioning>;

export function tenantProvisioning({ config, deployment, catalog, servers }: Parts) {
  function validate(input: TenantInput): TenantInput {
    if (typeof input?.slug !== 'string' || !SLUG_PATTERN.test(input.slug)) throw new InvalidTenantSlugError(input?.slug);
    const parsed = tenantInput.safeParse(input);
    if (!parsed.success) throw new TenancyConfigError(`Invalid tenant: ${parsed.error.issues.map(issueText).join('; ')}`);
    return parsed.data;
  }

  /** A catalog entry in `provisioning` and its placement, ready but serving nothing. */
  async function provision(input: TenantInput): Promise<Tenant> {
    const { id, slug, name, strategy: strategyName, server: named } = validate(input);
    let tenant = await unfinished(slug);
    if (tenant) {
      // The same call finishes a provisioning that stopped half-way, where it began; anything else is a real clash.
      if (tenant.strategy !== strategyName || (id && tenant.id !== id) || (named !== undefined && named !== tenant.server)) throw new TenantExistsError(slug);
    } else {
      const server = await chooseServer(config, servers, catalog, { slug, strategy: strategyName, server: named });
      const placement = servers.strategyOf({ strategy: strategyName, server }).placementFor(slug);
      try {
        tenant = await catalog.insert({ id, slug, name, strategy: strategyName, server, placement });
      } catch (error) {
        if (!(error instanceof TenantExistsError)) throw error;
        tenant = await unfinished(slug);
        if (!tenant || tenant.strategy !== strategyName || (id && tenant.id !== id)) throw error;
      }
    }
    const placing = tenant;
    // Its server down: said so (the entry stays in provisioning, and the same call finishes it once the server is back).
    const version = await servers
      .strategyOf(placing)
      .provision(placing)
      .catch((error: unknown) => {
        throw explainUnreachable(error, placing.server);
      });
    return catalog.update(tenant.id, { schemaVersion: version });
  }

  /** The tenant of this slug when a provisioning of it stopped half-way; undefined when there is none (or it is done). */
  async function unfinished(slug: string): Promise<Tenant | undefined> {
    const tenant = await catalog.fresh(slug, deployment.admin()).catch((error: unknown) => {
      if (error instanceof TenantNotFoundError) return undefined;
      throw error;
    });
    if (tenant && tenant.status !== 'provisioning') throw new TenantExistsError(slug);
    return tenant;
  }

  async function activate(tenant: Tenant): Promise<Tenant> {
    await deployment.step('activate', tenant);
    return catalog.update(tenant.id, { status: 'active' });
  }

  /** Removes a tenant that never served (an import that failed verification), as if it had never been created. */
  async function discard(tenant: Tenant): Promise<void> {
    await servers.strategyOf(tenant).destroy(tenant);
    deployment.tokens.forgetTenant(tenant.id);
    await catalog.remove(tenant);
  }

  return { validate, provision, activate, discard };
}

/** Creating and deleting tenants: the catalog entry, then the strategy's steps, each one safe to run again. */
export function tenantLifecycle(
  { config, deployment, catalog, servers }: Parts,
  provisioning: Provisioning,
  archive: (tenant: Tenant, file: string) => Promise<unknown>,
) {
  async function createTenant(input: TenantInput): Promise<Tenant> {
    return provisioning.activate(await provisioning.provision(input));
  }

  async function deleteTenant(key: string, options: DeleteOptions): Promise<void> {
    if (!options || (options.archive !== false && typeof options.archive !== 'string')) {
      throw new TenancyConfigError('deleteTenant needs { archive: "<file>" } to archive first, or { archive: false } to delete without an archive.');
    }
    let tenant = await catalog.fresh(key, deployment.admin());
    const strategy = servers.strategyOf(tenant);
    // Checked before anything changes: a bad archive path must leave the tenant as it was.
    if (options.archive) await assertWritable(options.archive, 'Nothing was deleted.');
    const resumed = tenant.status === 'deleting';
    const before = tenant.status;
    if (!resumed) {
      tenant = await catalog.update(tenant.id, { status: 'deleting' });
      // Other processes trust their cached catalog entry for catalogCacheMs: once that has
      // passed, none of them serves the tenant, so no write lands after the archive is taken.
      await new Promise((resolve) => setTimeout(resolve, config.catalogCacheMs));
    }
    // A resumed deletion may be half done: keep the archive the first attempt wrote.
    if (options.archive && !(resumed && archiveExists(options.archive))) {
      try {
        await archive(tenant, options.archive);
      } catch (error) {
        // Nothing is deleted before the archive is whole (a full disk, say): the tenant gets back the status this call
        // found (a half-made or moving tenant stays so), and the archive's error is the one reported either way.
        const restored = resumed
          ? undefined
          : await catalog.update(tenant.id, { status: before }).then(
              () => true,
              () => false,
            );
        const state =
          restored === undefined
            ? ''
            : restored
              ? `: tenant "${tenant.slug}" is ${before} again`
              : `; tenant "${tenant.slug}" is still marked deleting (its status could not be put back)`;
        throw new TenancyConfigError(
          `Cannot write the archive ${options.archive}: ${(error as Error).message}. Nothing was deleted${state}; free the space (or pick another path) and run the same call again.`,
          { cause: error },
        );
      }
    }
    await strategy.destroy(tenant);
    deployment.tokens.forgetTenant(tenant.id);
    await deployment.step('forget', tenant);
    await catalog.remove(tenant);
  }

  return { createTenant, deleteTenant };
}
