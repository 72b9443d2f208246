import 'server-only';

import { PLAN_RULE_TEXT, PLAN_STRATEGY, PLANS } from '@repo/db/plans';
import { changePlan } from '@repo/db/plan-changes';
import { SLUG_PATTERN, type MoveProgress, type Tenant } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { MOVE_STEPS } from '@/lib/labels';
import type { MoveRefusal } from './move';
import type { Send } from './ndjson';
import { operatorDb } from './operator-db';
import { findTenant } from './queries/catalog';
import { tenantMigrationTags } from './queries/migrations';
import { tenantPlanStatus } from './queries/plans';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// Change a tenant's plan: @repo/db's changePlan records the plan asked for as pending, moves the tenant to that
// plan's placement with tenancy.moveTenant (each step streamed to the browser as the move form's are), then records
// the plan. An interrupted change stays pending; the tenant page offers to finish it (the same call) or cancel it.

export const changePlanInput = z.object({
  slug: z.string().trim().regex(SLUG_PATTERN, 'Not a tenant slug.'),
  plan: z.enum(PLANS, { error: PLAN_RULE_TEXT }),
});

export type ChangePlanInput = z.infer<typeof changePlanInput>;

/** What the operator can be told before anything starts. */
export async function precheck(input: ChangePlanInput): Promise<{ tenant: Tenant } | MoveRefusal> {
  const tenant = await findTenant(input.slug);
  if (!tenant) return { status: 404, error: `Tenant "${input.slug}" does not exist (deleted?).` };
  // `moving` is what a move killed in its pause leaves; the plan change's move ends that pause and starts again.
  if (tenant.status !== 'active' && tenant.status !== 'moving') {
    return {
      status: 409,
      error: `Tenant "${tenant.slug}" is ${tenant.status}, not active: its plan cannot change until that finishes. Nothing was changed.`,
    };
  }
  const status = await tenantPlanStatus(tenant);
  if (status.matches && status.plan === input.plan) {
    const message = `Tenant "${tenant.slug}" is already on ${input.plan}: choose another plan. Nothing was changed.`;
    return { status: 422, error: message, fieldErrors: { plan: message } };
  }
  const latest = tenantMigrationTags().at(-1) ?? null;
  if (PLAN_STRATEGY[input.plan] !== tenant.strategy && tenant.schemaVersion !== latest) {
    return {
      status: 409,
      error: `Tenant "${tenant.slug}" is at schema version ${tenant.schemaVersion ?? 'none'}, not the newest (${latest ?? 'none'}): run Migrate all first, then change its plan. Nothing was changed.`,
    };
  }
  return { tenant };
}

function event(progress: MoveProgress): Record<string, unknown> {
  return { type: 'progress', step: progress.step, rows: progress.rows, ...(progress.pauseMs === undefined ? {} : { pauseMs: progress.pauseMs }) };
}

export async function changeTenantPlan(tenant: Tenant, input: ChangePlanInput, operator: Operator, send: Send): Promise<void> {
  send({ type: 'start', tenant: tenant.slug, from: tenant.strategy, to: PLAN_STRATEGY[input.plan], plan: input.plan, steps: MOVE_STEPS });
  try {
    const summary = await changePlan(tenancy(), tenant.slug, input.plan, { control: operatorDb(), onProgress: (progress) => send(event(progress)) });
    const { from, to, rows, pauseMs, caughtUp, ms } = summary.move;
    logger.info(
      { operator: operator.email, slug: tenant.slug, plan: { from: summary.from, to: summary.to }, from, to, rows, pauseMs, ms },
      'tenant plan changed',
    );
    send({ type: 'done', plan: { from: summary.from, to: summary.to, resumed: summary.resumed }, from, to, rows, pauseMs, caughtUp, ms });
  } catch (error) {
    // The library's and the plans' own errors say what happened and what to do; anything else is logged, not shown.
    if (isTenancyError(error) || (error instanceof Error && (error.name === 'PlanChangeBusyError' || error.name === 'InvalidPlanError'))) {
      logger.warn({ operator: operator.email, slug: tenant.slug, plan: input.plan, err: error }, 'tenant plan change refused');
      send({ type: 'error', message: `${error.message} ${PENDING_NOTE}` });
      return;
    }
    logger.error({ operator: operator.email, slug: tenant.slug, plan: input.plan, err: error }, 'tenant plan change failed');
    send({ type: 'error', message: `Changing the plan of "${tenant.slug}" failed on the server (logged). ${PENDING_NOTE}` });
  }
}

const PENDING_NOTE = 'The tenant serves from where it is; the page shows what is pending and how to finish it.';
