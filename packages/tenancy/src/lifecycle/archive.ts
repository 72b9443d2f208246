import { stat } from 'node:fs/promises';
import type { ArchiveManifest, ArchiveTable } from '../archive/manifest';
import { assertWritable } from '../archive/files';
import { countRows, loadArchive, verifyLoaded } from '../archive/load';
import { readManifest, verifyArchive } from '../archive/read';
import { writeArchive } from '../archive/write';
import { STRATEGIES, type StrategyName, type Tenant } from '../catalog/types';
import { ArchiveError, TenantExistsError, TenantNotActiveError, TenantNotFoundError, TenancyConfigError } from '../errors';
import type { Parts } from '../parts';
import { currentVersion } from '../strategies/schema';
import type { Provisioning } from './tenants';

export interface ExportOptions {
  /** Called as each table is written. */
  onTable?: (table: ArchiveTable) => void;
}

export interface ExportSummary {
  file: string;
  bytes: number;
  ms: number;
  manifest: ArchiveManifest;
}

export interface ImportOptions {
  /** Slug of the new tenant; the archive's by default. */
  slug?: string;
  name?: string;
  /** Where the new tenant lives; the archive's strategy by default. */
  strategy?: StrategyName;
  /** The server it goes on; the placement policy chooses among the open servers that can hold it by default. */
  server?: string;
  /**
   * 'archive' (default) restores the tenant under the id it had, so whatever refers to it (members,
   * billing) finds it again; 'new' gives it a fresh id, for a copy beside the original.
   */
  id?: 'archive' | 'new';
  onTable?: (table: ArchiveTable) => void;
}

/** Export to, and import from, the portable archive (see archive/): the lifecycle's way in and out of the database. */
export function tenantArchives(parts: Parts, provisioning: Provisioning) {
  const { config, deployment, catalog, servers } = parts;

  /** Writes the tenant's rows, read from one snapshot, to `file`. Used by export, delete and move. */
  async function archive(tenant: Tenant, file: string, onTable?: (table: ArchiveTable) => void): Promise<ArchiveManifest> {
    const strategy = servers.strategyOf(tenant);
    return strategy.inPlacement(
      tenant,
      async (client) =>
        writeArchive(
          client,
          {
            tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, strategy: tenant.strategy },
            // The placement's own record, not the catalog's copy of it: that is what the rows were written under.
            schemaVersion: await currentVersion(client, tenant.schemaName),
            schema: tenant.schemaName,
            tables: [...config.tenantTables].reverse(),
          },
          file,
          onTable,
        ),
      { snapshot: true },
    );
  }

  async function exportTenant(key: string, file: string, options: ExportOptions = {}): Promise<ExportSummary> {
    if (typeof file !== 'string' || file.length === 0) throw new TenancyConfigError('exportTenant needs the path of the archive to write');
    const started = Date.now();
    const tenant = await catalog.fresh(key, deployment.admin());
    if (tenant.status !== 'active') throw new TenantNotActiveError(tenant.slug, tenant.status);
    await assertWritable(file, 'Nothing was exported.');
    const manifest = await archive(tenant, file, options.onTable);
    return { file, bytes: (await stat(file)).size, ms: Date.now() - started, manifest };
  }

  /**
   * Checks everything that can be checked before anything is created: the format, that the
   * deployment knows the archive's schema version and tables, and every table's count and checksum.
   */
  async function inspect(file: string): Promise<ArchiveManifest> {
    // A NUL byte cannot be in a path: the file system calls would throw a TypeError instead.
    if (typeof file !== 'string' || file.length === 0 || file.includes('\u0000')) {
      throw new TenancyConfigError('importTenant needs the path of an archive (not empty, no NUL byte)');
    }
    const manifest = await readManifest(file);
    const known = deployment.migrations.map((m) => m.tag);
    if (manifest.schemaVersion !== null && !known.includes(manifest.schemaVersion)) {
      throw new ArchiveError(
        file,
        `it was written at schema version ${manifest.schemaVersion}, which this deployment's migrations do not have (newest: ${known.at(-1) ?? 'none'}): restore it with a deployment at that version or newer`,
      );
    }
    const unknown = manifest.tables.filter((t) => !config.tenantTables.includes(t.name));
    if (unknown.length > 0) throw new ArchiveError(file, `it holds tables this deployment does not have: ${unknown.map((t) => t.name).join(', ')}`);
    await verifyArchive(file, manifest);
    return manifest;
  }

  async function importTenant(file: string, options: ImportOptions = {}): Promise<Tenant> {
    if (options.strategy !== undefined && !STRATEGIES.includes(options.strategy)) {
      throw new TenancyConfigError(`Invalid tenant: strategy must be one of ${STRATEGIES.join(', ')}`);
    }
    if (options.id !== undefined && options.id !== 'archive' && options.id !== 'new')
      throw new TenancyConfigError("importTenant's id must be 'archive' or 'new'");
    const manifest = await inspect(file);
    const input = {
      ...(options.id === 'new' ? {} : { id: manifest.tenant.id }),
      slug: options.slug ?? manifest.tenant.slug,
      name: options.name ?? manifest.tenant.name,
      strategy: options.strategy ?? manifest.tenant.strategy,
      ...(options.server === undefined ? {} : { server: options.server }),
    };
    provisioning.validate(input);
    await refuseClash(input);
    const tenant = await provisioning.provision(input);
    await deployment.step('import.load', tenant);
    try {
      await servers.strategyOf(tenant).inPlacement(tenant, async (client) => {
        // A rerun after a crash between the load's commit and the activation finds the rows already there.
        const counts = await countRows(client, tenant.schemaName, config.tenantTables);
        if (Object.values(counts).some((n) => n > 0))
          return verifyLoaded(client, file, manifest, tenant.schemaName, manifest.schemaVersion !== deployment.latestMigration);
        await loadArchive(client, file, manifest, {
          tenantId: tenant.id,
          schema: tenant.schemaName,
          tables: config.tenantTables,
          migrations: deployment.migrations,
        });
        return verifyLoaded(client, file, manifest, tenant.schemaName, manifest.schemaVersion !== deployment.latestMigration);
      });
    } catch (error) {
      // The load is one transaction and rolled back: the empty tenant it was meant for goes too.
      if (error instanceof ArchiveError) await provisioning.discard(tenant);
      throw error;
    }
    return provisioning.activate(tenant);
  }

  /** An existing tenant with the slug or id blocks the import, unless it is this import's own unfinished one. */
  async function refuseClash(input: { id?: string; slug: string; strategy: StrategyName }): Promise<void> {
    for (const key of [input.slug, input.id]) {
      if (!key) continue;
      const existing = await catalog.fresh(key, deployment.admin()).catch((error: unknown) => {
        if (error instanceof TenantNotFoundError) return null;
        throw error;
      });
      if (!existing) continue;
      const resumable =
        existing.status === 'provisioning' && existing.slug === input.slug && existing.strategy === input.strategy && (!input.id || existing.id === input.id);
      if (!resumable) throw new TenantExistsError(existing.slug);
    }
  }

  return { archive, exportTenant, importTenant, inspectArchive: inspect };
}
