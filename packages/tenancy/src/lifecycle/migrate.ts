import type { Tenant } from '../catalog/types';
import { applyMigrations } from '../migrations/apply';
import type { Parts } from '../parts';

export interface MigrateProgress {
  /** null for the deployment's shared parts (shared tables, templates). */
  tenant: Tenant | null;
  placement: string;
  status: 'done' | 'failed';
  version: string | null;
  error?: Error;
  /** How many of `total` targets are finished (done or failed). */
  completed: number;
  total: number;
}

export interface MigrateOptions {
  /** Tenants migrated at once; each holds one lock of its own, never a global one. */
  concurrency?: number;
  onProgress?: (progress: MigrateProgress) => void;
}

export interface MigrateSummary {
  done: number;
  failed: MigrateProgress[];
  results: MigrateProgress[];
}

/**
 * Shared tables first, then the templates, then every tenant, `concurrency` at a time. A tenant
 * that fails is reported and the rest go on; each tenant records its own version, so a rerun
 * resumes where the last run stopped.
 */
export async function migrateAll(parts: Parts, options: MigrateOptions): Promise<MigrateSummary> {
  const { deployment, catalog, strategies } = parts;
  const tenants = (await catalog.list()).filter((t) => t.status === 'active');
  const templates = Object.values(strategies).filter((s) => s.migrateTemplate);
  const total = 1 + templates.length + tenants.length;
  const results: MigrateProgress[] = [];
  const report = (progress: Omit<MigrateProgress, 'completed' | 'total'>) => {
    const full = { ...progress, completed: results.length + 1, total };
    results.push(full);
    options.onProgress?.(full);
  };
  const attempt = async (tenant: Tenant | null, placement: string, work: () => Promise<string | null>) => {
    try {
      report({ tenant, placement, status: 'done', version: await work() });
    } catch (error) {
      report({ tenant, placement, status: 'failed', version: null, error: error as Error });
    }
  };

  await attempt(null, `shared:${deployment.config.sharedSchema}`, () => deployment.withAdmin((client) => applyMigrations(client, parts.sharedTarget())));
  for (const strategy of templates) {
    await attempt(null, `template:${strategy.name}`, async () => {
      await strategy.migrateTemplate!();
      return deployment.latestMigration;
    });
  }
  const queue = [...tenants];
  const worker = async () => {
    for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
      const current = tenant;
      await attempt(current, current.databaseName ?? current.schemaName, async () => {
        const version = await strategies[current.strategy].migrate(current);
        await catalog.update(current.id, { schemaVersion: version });
        return version;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  const failed = results.filter((r) => r.status === 'failed');
  return { done: results.length - failed.length, failed, results };
}
