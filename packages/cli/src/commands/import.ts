import { Command, Option } from 'commander';
import { z } from 'zod';
import { STRATEGY_CHOICES as STRATEGIES } from '../choices';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { validServerName } from '../server-name';
import { validSlug } from '../slug';

const options = z.object({
  slug: validSlug.optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(', ')}` }).optional(),
  server: validServerName.optional(),
  newId: z.boolean().default(false),
  json: z.boolean().default(false),
});

/**
 * tenancy.importTenant(): the whole archive is verified first (nothing is created for a damaged, foreign or newer
 * one), then it becomes a tenant of any strategy. Running it again finishes an import that stopped half-way.
 */
export const importCommand: CommandFactory = (context) =>
  new Command('import')
    .description(
      'Restore an archive (from `tenancy export` or `tenancy delete`) as a tenant of any strategy: verified whole before anything is created; an older schema version is migrated on the way in.',
    )
    .argument('<file>', 'the archive (.tar.gz)')
    .option('--slug <slug>', "the tenant's slug (default: the archive's)")
    .option('--name <name>', "display name (default: the archive's)")
    .addOption(new Option('--strategy <strategy>', "where its rows live (default: the archive's)").choices(STRATEGIES))
    .option('--server <name>', 'the server it goes on (default: TENANCY_PLACEMENT chooses among the open servers that can hold it)')
    .option('--new-id', "give it a new id, for a copy beside the original (default: the archive's id, to restore a deleted tenant)")
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'tenancy import backups/acme-2026-12-07T10-00-00-000Z.tar.gz',
        'tenancy import acme.tar.gz --slug acme_copy --strategy database --new-id --json',
      ),
    )
    .action(async (file: string, raw: unknown) => {
      const input = parseOptions(options, raw);
      const tenancy = await context.tenancy();
      const started = Date.now();
      const tenant = await tenancy.importTenant(file, {
        ...(input.slug ? { slug: input.slug } : {}),
        ...(input.name ? { name: input.name } : {}),
        ...(input.strategy ? { strategy: input.strategy } : {}),
        ...(input.server ? { server: input.server } : {}),
        id: input.newId ? 'new' : 'archive',
      });
      if (input.json) return outJson(context.io, tenant);
      const where = tenant.server === tenancy.config.primaryName ? tenant.strategy : `${tenant.strategy} on ${tenant.server}`;
      out(context.io, `Imported ${file} as tenant ${tenant.slug} (${where}, id ${tenant.id}) in ${Date.now() - started} ms.`);
    });
