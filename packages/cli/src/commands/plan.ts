import { PLANS, PLAN_STRATEGY } from '@repo/db/plans';
import type { MoveStep } from '@repo/tenancy';
import { Argument, Command } from 'commander';
import { z } from 'zod';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { out, outJson } from '../io';
import { progressBar } from '../progress';
import { validSlug } from '../slug';

const input = z.object({
  slug: validSlug,
  plan: z.enum(PLANS, { error: `is not a plan: choose ${PLANS.join(', ')}` }),
  json: z.boolean().default(false),
});

const STEPS: readonly MoveStep[] = ['copy', 'pause', 'catch-up', 'switch', 'cleanup', 'done'];

/**
 * changePlan() from @repo/db: records the plan asked for as pending, moves the tenant to the plan's placement online
 * (moveTenant), then records the plan. Run it again to finish an interrupted change; the plan in effect cancels one.
 */
export const planCommand: CommandFactory = (context) =>
  new Command('plan')
    .description(
      `Change a tenant's plan, moving it online to where the plan places it (${PLANS.map((p) => `${p}: ${PLAN_STRATEGY[p]}`).join(', ')}). Prints the write pause. Run it again to finish an interrupted change; the plan in effect cancels one.`,
    )
    .argument('<slug>', 'the tenant')
    .addArgument(new Argument('<plan>', 'the plan to put it on').choices(PLANS))
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy plan acme business', 'tenancy plan acme free --json'))
    .action(async (slugArg: string, planArg: string, raw: { json?: boolean }) => {
      const parsed = parseOptions(input, { slug: slugArg, plan: planArg, json: raw.json });
      const tenancy = await context.tenancy();
      const { changePlan } = await import('@repo/db/plan-changes');
      const bar = progressBar(context.io, { json: parsed.json, what: `${parsed.slug} -> ${parsed.plan}` });
      let summary;
      try {
        summary = await changePlan(tenancy, parsed.slug, parsed.plan, {
          onProgress: (p) => bar.update(STEPS.indexOf(p.step) + 1, STEPS.length, `${p.step} (${p.rows} rows)`),
        });
      } finally {
        bar.stop();
      }
      const { move } = summary;
      const result = {
        slug: parsed.slug,
        from: summary.from,
        to: summary.to,
        resumed: summary.resumed,
        strategy: { from: move.from, to: move.to },
        rows: move.rows,
        pauseMs: move.pauseMs,
        caughtUp: move.caughtUp,
        ms: move.ms,
      };
      if (parsed.json) return outJson(context.io, result);
      if (move.from === move.to) {
        return out(
          context.io,
          `${parsed.slug} is on ${summary.to} (${move.to})${summary.resumed ? `; the interrupted change to ${summary.resumed} is settled` : ''}; no move was needed.`,
        );
      }
      out(
        context.io,
        `Changed ${parsed.slug} from ${summary.from} to ${summary.to}: moved ${move.from} -> ${move.to}, ${move.rows} rows in ${move.ms} ms; its requests waited ${move.pauseMs} ms${move.caughtUp ? ' (writes made during the copy were carried over)' : ''}.`,
      );
    });
