import { Command } from 'commander';
import { z } from 'zod';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';

const options = z.object({ json: z.boolean().default(false) });

/** tenancy.setup(): installs or updates the tenancy objects and the context key in every database of the deployment. */
export const setupCommand: CommandFactory = (context) =>
  new Command('setup')
    .description(
      'Install or update the tenancy schema, roles, shared tenant tables and context key in every database the deployment serves from. Safe to run again.',
    )
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy setup', 'tenancy setup --json'))
    .action(async (raw: unknown) => {
      const { json } = parseOptions(options, raw);
      const started = Date.now();
      await (await context.tenancy()).setup();
      const seconds = (Date.now() - started) / 1000;
      if (json) outJson(context.io, { ok: true, seconds });
      else out(context.io, `Set up the deployment in ${seconds.toFixed(1)} s.`);
    });
