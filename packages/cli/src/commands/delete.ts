import path from 'node:path';
import type { Tenant } from '@repo/tenancy';
import { Command } from 'commander';
import { z } from 'zod';
import { archiveFile } from '../archive-file';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { ask } from '../confirm';
import type { CliContext } from '../context';
import { NotConfirmedError, UsageError } from '../exit-codes';
import { interactive, note, out, outJson } from '../io';
import { validSlug } from '../slug';

const options = z.object({
  /** A path from --archive, false from --no-archive, undefined when neither was given. */
  archive: z.union([z.string().min(1, 'must name a file or a directory'), z.literal(false)]).optional(),
  yes: z.boolean().default(false),
  json: z.boolean().default(false),
});

type Options = z.infer<typeof options>;

/**
 * tenancy.deleteTenant(): the tenant's rows are archived first (a .tar.gz that `tenancy import` restores) (unless --no-archive), then its
 * placement, role and catalog entry go. Confirmed by --yes, or by typing the slug at a terminal; refused otherwise.
 */
export const deleteCommand: CommandFactory = (context) =>
  new Command('delete')
    .description(
      'Delete a tenant: archive its rows (a .tar.gz that `tenancy import` restores), then drop its placement, role and catalog entry. Running it again finishes a deletion that stopped half-way.',
    )
    .argument('<slug>', 'the tenant to delete')
    .option('--archive <path>', 'archive file, or a directory (existing, or ending in /) for <slug>-<time>.tar.gz; default: $ARCHIVE_DIR')
    .option('--no-archive', 'delete without an archive')
    .option('-y, --yes', 'do not ask: needed when stdin is not a terminal')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'tenancy delete acme                                  # asks you to type "acme"; archives to $ARCHIVE_DIR',
        'tenancy delete acme --archive backups/ --yes',
        'tenancy delete acme --archive /tmp/acme.tar.gz --yes --json',
        'tenancy delete acme --no-archive --yes',
      ),
    )
    .action(async (slugArg: string, raw: unknown) => {
      const slug = parseOptions(z.object({ slug: validSlug }), { slug: slugArg }).slug;
      const input = parseOptions(options, raw);
      // Decided before anything is read or changed: where the archive goes, and that the operator means it.
      const archiveTarget = await archiveTargetOf(context, input);
      if (!input.yes && !interactive(context.io)) {
        throw new NotConfirmedError(`Not deleting "${slug}": stdin is not a terminal, so pass --yes to confirm. Nothing was deleted.`);
      }
      const tenancy = await context.tenancy();
      const tenant = await tenancy.getTenant(slug);
      const archive = archiveTarget === false ? false : archiveFile(archiveTarget, tenant.slug);
      if (!input.yes) await confirm(context, tenant, archive);
      const started = Date.now();
      await tenancy.deleteTenant(tenant.slug, { archive });
      const seconds = (Date.now() - started) / 1000;
      if (input.json) return outJson(context.io, { slug: tenant.slug, strategy: tenant.strategy, archive: archive || null, seconds });
      out(context.io, `Deleted tenant ${tenant.slug} (${tenant.strategy}) in ${seconds.toFixed(1)} s; ${archive ? `archive: ${archive}` : 'no archive'}.`);
    });

/** --archive's path, false for --no-archive, or ARCHIVE_DIR when neither was given; without any of them, a usage error. */
async function archiveTargetOf(context: CliContext, input: Options): Promise<string | false> {
  if (input.archive !== undefined) return input.archive;
  const dir = (await context.deploymentEnv()).ARCHIVE_DIR;
  if (dir === undefined) {
    throw new UsageError(
      'Say where the archive goes: --archive <file or directory> (or set ARCHIVE_DIR), or --no-archive to delete without one. Nothing was deleted.',
    );
  }
  return dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
}

async function confirm(context: CliContext, tenant: Tenant, archive: string | false): Promise<void> {
  const where = tenant.databaseName ? `database ${tenant.databaseName}` : `schema ${tenant.schemaName}`;
  note(context.io, `About to delete tenant "${tenant.slug}" (${tenant.name}; ${tenant.strategy}, ${where}, ${tenant.status}).`);
  note(context.io, archive ? `Its rows are archived to ${archive} first.` : 'Its rows are NOT archived (--no-archive): this cannot be undone.');
  const answer = await ask(context.io, `Type the slug "${tenant.slug}" to confirm: `);
  if (answer !== tenant.slug) throw new NotConfirmedError(`"${answer}" does not match "${tenant.slug}". Nothing was deleted.`);
}
