import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { STRATEGIES } from '@repo/tenancy';
import type { Random } from '../random';
import type { FuzzDeployment } from './deployment';
import { withAdditiveMigration } from './migration-folder';
import type { FuzzTenant } from './operations';
import type { Tally } from './tally';

export interface UnderneathPlan {
  /** The share of operations done at which each migration starts (one migration per entry). */
  migrateAt: number[];
}

/**
 * What the operator does while the callers run: moves tenants between strategies with the library's online
 * moveTenant, one after another, and at the planned points migrate() with one more additive tenant migration (after
 * which the operator's process is one that reads the new folder, as after a deploy). Runs until `stop()` says so,
 * and always until every planned migration ran. Resolves when every migration is done through `migrated`.
 */
export async function runUnderneath(options: {
  deployment: FuzzDeployment;
  tenants: FuzzTenant[];
  random: Random;
  tally: Tally;
  plan: UnderneathPlan;
  progress: () => number;
  stop: () => boolean;
  workDir: string;
  log: (line: string) => void;
  /** Called once every planned migration has run (or the loop ended early). */
  onMigrationsDone: () => void;
}): Promise<void> {
  const { deployment, tenants, random, tally, plan, progress, stop, workDir, log, onMigrationsDone } = options;
  let folder = TENANT_MIGRATIONS_FOLDER;
  let migrations = 0;
  try {
    await loop();
  } finally {
    onMigrationsDone();
  }

  async function loop(): Promise<void> {
    while (migrations < plan.migrateAt.length || !stop()) {
      if (migrations < plan.migrateAt.length && progress() >= plan.migrateAt[migrations]!) {
        migrations++;
        const name = `fuzz_v${migrations + 1}`;
        folder = withAdditiveMigration(folder, workDir, name);
        const next = deployment.controlWith(folder);
        const started = Date.now();
        try {
          const summary = await next.migrate({ concurrency: 2 });
          if (summary.failed.length > 0) {
            tally.migrationFailures++;
            tally.underneathErrors.push(`migrate ${name}: ${summary.failures.map((f) => `${f.tenant ?? 'shared'}: ${f.message}`).join('; ')}`);
          } else tally.migrations++;
          log(`migration ${name}: ${summary.done} placements done in ${Date.now() - started} ms, ${summary.failed.length} failed`);
        } catch (error) {
          tally.migrationFailures++;
          tally.underneathErrors.push(`migrate ${name}: ${(error as Error).message}`);
        }
        // From now on the operator's process is one of the new release: it moves tenants with the new migrations.
        deployment.control = next;
        if (migrations === plan.migrateAt.length) onMigrationsDone();
        continue;
      }
      const tenant = random.pick(tenants);
      const to = random.pick(STRATEGIES.filter((s) => s !== tenant.strategy));
      try {
        const summary = await deployment.control.moveTenant(tenant.slug, to, { workDir });
        tenant.strategy = to;
        tally.moves++;
        if (tally.moves % 10 === 1) log(`move ${tally.moves}: ${tenant.slug} ${summary.from} -> ${to}, ${summary.rows} rows, paused ${summary.pauseMs} ms`);
      } catch (error) {
        tally.moveFailures++;
        if (tally.underneathErrors.length < 10) tally.underneathErrors.push(`move ${tenant.slug} -> ${to}: ${(error as Error).message}`);
        // Wherever the failed move left it (the library keeps it where it was until the switch).
        tenant.strategy = (await deployment.control.getTenant(tenant.slug)).strategy;
      }
    }
  }
}
