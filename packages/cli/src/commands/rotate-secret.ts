import { Command } from 'commander';
import { z } from 'zod';
import { examples, integerText, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';

/** The library refuses more than an hour (MAX_OVERLAP_SECONDS): an old secret must not linger. */
const MAX_OVERLAP_SECONDS = 3600;

const options = z.object({
  overlap: integerText('seconds', 0, MAX_OVERLAP_SECONDS).default(0),
  json: z.boolean().default(false),
});

/**
 * tenancy.rotateContextSecret(): makes TENANCY_CONTEXT_SECRET (the new secret) the only one in every placement,
 * database tenants included; tokens of the secret it replaces verify for --overlap seconds more.
 */
export const rotateSecretCommand: CommandFactory = (context) =>
  new Command('rotate-secret')
    .description(
      'Rotate the tenant context secret: run it with the NEW secret in TENANCY_CONTEXT_SECRET. It becomes the only one in every placement, database tenants included; tokens signed with the old one keep verifying for --overlap seconds (restart the other processes with the new secret within that time), then are refused everywhere. Safe to run again.',
    )
    .option('--overlap <seconds>', `seconds the replaced secret keeps working (0-${MAX_OVERLAP_SECONDS})`, '0')
    .addOption(jsonOption())
    .addHelpText('after', examples('TENANCY_CONTEXT_SECRET="$(openssl rand -hex 32)" tenancy rotate-secret --overlap 300', 'tenancy rotate-secret --json'))
    .action(async (raw: unknown) => {
      const input = parseOptions(options, raw);
      const { databases } = await (await context.tenancy()).rotateContextSecret({ overlapSeconds: input.overlap });
      if (input.json) return outJson(context.io, { databases, overlapSeconds: input.overlap });
      out(
        context.io,
        `Rotated the context secret in ${databases} database(s); tokens of the previous secret ${
          input.overlap ? `verify for ${input.overlap} s more` : 'are refused from now on'
        }.`,
      );
    });
