import { Command } from 'commander';
import { z } from 'zod';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { table } from '../table';

const options = z.object({ json: z.boolean().default(false) });

/** tenancy.listTenants(): every tenant in the catalog, whatever its status. */
export const listCommand: CommandFactory = (context) =>
  new Command('list')
    .description('List every tenant: slug, name, strategy, status, schema version and where its rows live.')
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy list', 'tenancy list --json | jq -r \'.[] | select(.strategy == "database") | .slug\''))
    .action(async (raw: unknown) => {
      const { json } = parseOptions(options, raw);
      const tenants = await (await context.tenancy()).listTenants();
      if (json) return outJson(context.io, tenants);
      if (tenants.length === 0) return out(context.io, 'No tenants.');
      out(
        context.io,
        table(tenants, [
          { header: 'SLUG', cell: (t) => t.slug },
          { header: 'NAME', cell: (t) => t.name },
          { header: 'STRATEGY', cell: (t) => t.strategy },
          { header: 'STATUS', cell: (t) => t.status },
          { header: 'VERSION', cell: (t) => t.schemaVersion ?? '-' },
          { header: 'PLACEMENT', cell: (t) => (t.databaseName ? `database ${t.databaseName}` : `schema ${t.schemaName}`) },
        ]),
      );
    });
