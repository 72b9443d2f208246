import { Command, Option } from 'commander';
import { z } from 'zod';
import { STRATEGY_CHOICES as STRATEGIES } from '../choices';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { validServerName } from '../server-name';
import { validSlug } from '../slug';

const options = z.object({
  slug: validSlug,
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(', ')}` }),
  server: validServerName.optional(),
  json: z.boolean().default(false),
});

/** tenancy.createTenant(): the catalog entry, then the placement, migrated, then active. Running it again finishes a half-made one. */
export const createCommand: CommandFactory = (context) =>
  new Command('create')
    .description('Create a tenant in the placement its strategy names (rls: shared tables, schema: a schema of its own, database: a database of its own).')
    .requiredOption('--slug <slug>', 'the tenant slug: 2-48 characters, a lowercase letter first, then lowercase letters, digits or _')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--strategy <strategy>', 'where its rows live').choices(STRATEGIES).makeOptionMandatory())
    .option(
      '--server <name>',
      'the server it goes on (rls tenants: one with shared tables; default: TENANCY_PLACEMENT chooses among the open servers that can hold it)',
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'tenancy create --slug acme --name "Acme Inc" --strategy rls',
        'tenancy create --slug globex --name Globex --strategy database --json',
        'tenancy create --slug initech --name Initech --strategy schema --server b',
      ),
    )
    .action(async (raw: unknown) => {
      const input = parseOptions(options, raw);
      const { slug, name, strategy, server } = input;
      const tenant = await (await context.tenancy()).createTenant({ slug, name, strategy, ...(server === undefined ? {} : { server }) });
      if (input.json) outJson(context.io, tenant);
      else
        out(
          context.io,
          `Created tenant ${tenant.slug} (${tenant.strategy} on ${tenant.server}, ${tenant.status}, schema version ${tenant.schemaVersion ?? 'none'}).`,
        );
    });
