import type { MoveStep } from '@repo/tenancy';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { STRATEGY_CHOICES as STRATEGIES } from '../choices';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { progressBar } from '../progress';
import { validServerName } from '../server-name';
import { validSlug } from '../slug';

const options = z
  .object({
    to: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.join(', ')}` }).optional(),
    server: validServerName.optional(),
    json: z.boolean().default(false),
  })
  .refine((value) => value.to !== undefined || value.server !== undefined, {
    path: ['to'],
    message: 'or --server is required: say where the tenant goes (a strategy, a server, or both)',
  });

const STEPS: readonly MoveStep[] = ['copy', 'pause', 'catch-up', 'switch', 'cleanup', 'done'];

/**
 * tenancy.moveTenant(): online, with a short pause whose length it reports. Until the switch the tenant serves from
 * where it was; running it again finishes an interrupted move.
 */
export const moveCommand: CommandFactory = (context) =>
  new Command('move')
    .description(
      "Move a tenant to another strategy, another server, or both, online: copy, pause its requests while the last writes are carried over, switch, remove the old placement. Prints the pause. Run it again to finish an interrupted move; `--to` its current strategy (and `--server` its current server) removes an abandoned move's copy.",
    )
    .argument('<slug>', 'the tenant to move')
    .addOption(new Option('--to <strategy>', 'the strategy to move it to (default: the one it has)').choices(STRATEGIES))
    .addOption(new Option('--server <name>', 'the server to move it to (see `tenancy servers`; default: the one it is on)'))
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy move acme --to database', 'tenancy move acme --server b', 'tenancy move acme --server b --to schema --json'))
    .action(async (slugArg: string, raw: unknown) => {
      const slug = parseOptions(z.object({ slug: validSlug }), { slug: slugArg }).slug;
      const input = parseOptions(options, raw);
      const tenancy = await context.tenancy();
      const bar = progressBar(context.io, { json: input.json, what: `moving ${slug}` });
      let summary;
      try {
        summary = await tenancy.moveTenant(
          slug,
          { strategy: input.to, server: input.server },
          {
            onProgress: (p) => bar.update(STEPS.indexOf(p.step) + 1, STEPS.length, `${p.step} (${p.rows} rows)`),
          },
        );
      } finally {
        bar.stop();
      }
      const { from, to, fromServer, toServer } = summary;
      const result = { slug, from, to, fromServer, toServer, rows: summary.rows, pauseMs: summary.pauseMs, caughtUp: summary.caughtUp, ms: summary.ms };
      if (input.json) return outJson(context.io, result);
      // Where it is and where it went: the server named only when the move changed it.
      const [source, target] = fromServer === toServer ? [from, to] : [`${from} on ${fromServer}`, `${to} on ${toServer}`];
      if (source === target) return out(context.io, `${slug} is already ${target}; removed what an abandoned move had left, if anything.`);
      out(
        context.io,
        `Moved ${slug} from ${source} to ${target}: ${summary.rows} rows in ${summary.ms} ms; its requests waited ${summary.pauseMs} ms${summary.caughtUp ? ' (writes made during the copy were carried over)' : ''}.`,
      );
    });
