import { Command } from 'commander';
import { z } from 'zod';
import { archiveFile } from '../archive-file';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { progressBar } from '../progress';
import { validSlug } from '../slug';

const options = z.object({
  out: z.string().min(1, 'must name a file or a directory').default('./'),
  json: z.boolean().default(false),
});

/** tenancy.exportTenant(): every row of the tenant, from one snapshot, into a .tar.gz that `tenancy import` restores. */
export const exportCommand: CommandFactory = (context) =>
  new Command('export')
    .description(
      "Write a tenant's rows, read from one snapshot while it keeps serving, to an archive (.tar.gz: a manifest with counts and checksums, then one COPY file per table).",
    )
    .argument('<slug>', 'the tenant to export')
    .option('-o, --out <path>', 'archive file, or a directory (existing, or ending in /) for <slug>-<time>.tar.gz', './')
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy export acme', 'tenancy export acme --out backups/', 'tenancy export acme --out /tmp/acme.tar.gz --json'))
    .action(async (slugArg: string, raw: unknown) => {
      const slug = parseOptions(z.object({ slug: validSlug }), { slug: slugArg }).slug;
      const input = parseOptions(options, raw);
      const tenancy = await context.tenancy();
      const tenant = await tenancy.getTenant(slug);
      const file = archiveFile(input.out, tenant.slug);
      const bar = progressBar(context.io, { json: input.json, what: 'exporting' });
      let done = 0;
      const total = tenancy.config.tenantTables.length;
      let summary;
      try {
        summary = await tenancy.exportTenant(tenant.slug, file, { onTable: (table) => bar.update(++done, total, `${table.name}: ${table.rows} rows`) });
      } finally {
        bar.stop();
      }
      const tables = summary.manifest.tables.map((t) => ({ name: t.name, rows: t.rows }));
      if (input.json)
        return outJson(context.io, {
          slug: tenant.slug,
          file: summary.file,
          bytes: summary.bytes,
          ms: summary.ms,
          schemaVersion: summary.manifest.schemaVersion,
          tables,
        });
      out(
        context.io,
        `Exported ${tenant.slug} to ${summary.file} (${summary.bytes} bytes, ${summary.ms} ms): ${tables.map((t) => `${t.name} ${t.rows}`).join(', ')}.`,
      );
    });
