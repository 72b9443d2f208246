import type { MigrateProgress } from '@repo/tenancy';
import { Command } from 'commander';
import { z } from 'zod';
import { examples, integerText, jsonOption, parseOptions, type CommandFactory } from '../command';
import { EXIT } from '../exit-codes';
import { note, out, outJson } from '../io';
import { progressBar } from '../progress';

const options = z.object({
  concurrency: integerText('tenants migrated at once', 1, 64).default(4),
  canary: integerText('tenants migrated first', 1, 100_000).optional(),
  json: z.boolean().default(false),
});

/** One finished target as the output shows it: a placement, the tenant it belongs to (none for shared parts). */
function summary(result: MigrateProgress) {
  return {
    placement: result.placement,
    tenant: result.tenant?.slug ?? null,
    status: result.status,
    version: result.version,
    ...(result.error ? { error: result.error.message } : {}),
  };
}

/**
 * tenancy.migrate(): the shared tables, the templates, then every active tenant, `--concurrency` at a time. A tenant
 * that fails is reported and the rest go on; a rerun resumes where this one stopped. Exit 1 when any failed.
 */
export const migrateCommand: CommandFactory = (context) =>
  new Command('migrate')
    .description(
      'Apply the tenant-table migrations everywhere: the shared tables, the templates, then every active tenant. Failures are reported per tenant and the rest go on (exit 1 if any failed).',
    )
    .option('-c, --concurrency <n>', 'tenants migrated at once (1-64)', '4')
    .option('--canary <n>', 'migrate n tenants (of those with work to do) first, and stop there if any fails')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples('tenancy migrate', 'tenancy migrate --concurrency 8', 'tenancy migrate --canary 5', "tenancy migrate --json | jq '.failures'"),
    )
    .action(async (raw: unknown) => {
      const input = parseOptions(options, raw);
      const { io } = context;
      const tenancy = await context.tenancy();
      const bar = progressBar(io, { json: input.json, what: 'migrating' });
      let result;
      try {
        result = await tenancy.migrate({
          concurrency: input.concurrency,
          ...(input.canary ? { canary: input.canary } : {}),
          onProgress: (p) => bar.update(p.completed, p.total, `${p.tenant?.slug ?? p.placement}${p.status === 'failed' ? ' FAILED' : ''}`),
        });
      } finally {
        bar.stop();
      }
      if (result.failed.length > 0) context.exitCode = EXIT.failed;
      if (input.json) {
        return outJson(io, {
          done: result.done,
          upToDate: result.upToDate,
          failed: result.failed.map(summary),
          failures: result.failures,
          stoppedAfterCanary: result.stoppedAfterCanary,
          notAttempted: result.notAttempted.map((t) => t.slug),
          results: result.results.map(summary),
        });
      }
      out(
        io,
        `Migrated ${result.done} of ${result.results.length} placements (${result.upToDate} already current)${result.failed.length ? `; ${result.failed.length} FAILED:` : '.'}`,
      );
      for (const failure of result.failed) {
        out(io, `  ${failure.placement}${failure.tenant ? ` (tenant ${failure.tenant.slug})` : ''}: ${failure.error?.message ?? 'failed'}`);
      }
      if (result.stoppedAfterCanary) out(io, `Stopped after the canary: ${result.notAttempted.length} tenant(s) not attempted.`);
      if (result.failed.length) note(io, 'Fix the cause and run `tenancy migrate` again: it resumes where this run stopped.');
    });
