import 'server-only';

import { SLUG_PATTERN, STRATEGIES, type MoveProgress, type Tenant } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { MOVE_STEPS } from '@/lib/labels';
import type { FieldErrors } from './api';
import type { Send } from './ndjson';
import { findTenant } from './queries/catalog';
import { tenantMigrationTags } from './queries/migrations';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// Move a tenant to another strategy: tenancy.moveTenant (copy while serving, a short pause, the switch, the cleanup)
// with each step sent to the browser as it happens, and the write pause it cost at the end.

export const moveTenantInput = z.object({
  slug: z.string().trim().regex(SLUG_PATTERN, 'Not a tenant slug.'),
  strategy: z.enum(STRATEGIES, { error: 'Choose a strategy.' }),
});

export type MoveTenantInput = z.infer<typeof moveTenantInput>;

export interface MoveRefusal {
  status: number;
  error: string;
  fieldErrors?: FieldErrors;
}

/**
 * What the operator can be told before anything starts. The library would refuse most of it too, but later and in
 * its own words; one case it would not refuse: moveTenant to the tenant's own strategy is how an abandoned move is
 * cleaned up, not a move, so the console never sends it.
 */
export async function precheck(input: MoveTenantInput): Promise<{ tenant: Tenant } | MoveRefusal> {
  const tenant = await findTenant(input.slug);
  if (!tenant) return { status: 404, error: `Tenant "${input.slug}" does not exist (deleted?).` };
  if (tenant.status !== 'active') {
    return {
      status: 409,
      error: `Tenant "${tenant.slug}" is ${tenant.status}, not active: only an active tenant can be moved. Wait for its ${tenant.status} to finish (or finish it), then try again.`,
    };
  }
  if (tenant.strategy === input.strategy) {
    const message = `Tenant "${tenant.slug}" is already in ${tenant.strategy}: choose another strategy.`;
    return { status: 422, error: message, fieldErrors: { strategy: message } };
  }
  const latest = tenantMigrationTags().at(-1) ?? null;
  if (tenant.schemaVersion !== latest) {
    return {
      status: 409,
      error: `Tenant "${tenant.slug}" is at schema version ${tenant.schemaVersion ?? 'none'}, not the newest (${latest ?? 'none'}): run Migrate all first, then move it.`,
    };
  }
  return { tenant };
}

function event(progress: MoveProgress): Record<string, unknown> {
  return { type: 'progress', step: progress.step, rows: progress.rows, ...(progress.pauseMs === undefined ? {} : { pauseMs: progress.pauseMs }) };
}

export async function moveTenant(tenant: Tenant, input: MoveTenantInput, operator: Operator, send: Send): Promise<void> {
  send({ type: 'start', tenant: tenant.slug, from: tenant.strategy, to: input.strategy, steps: MOVE_STEPS });
  try {
    const summary = await tenancy().moveTenant(tenant.slug, input.strategy, { onProgress: (progress) => send(event(progress)) });
    const { from, to, rows, pauseMs, caughtUp, ms } = summary;
    logger.info({ operator: operator.email, slug: tenant.slug, from, to, rows, pauseMs, caughtUp, ms }, 'tenant moved');
    send({ type: 'done', tenant: { slug: summary.tenant.slug, strategy: summary.tenant.strategy }, from, to, rows, pauseMs, caughtUp, ms });
  } catch (error) {
    // The library's errors say what happened and what to do; anything else is logged, not shown.
    if (isTenancyError(error)) {
      logger.warn({ operator: operator.email, slug: tenant.slug, to: input.strategy, err: error }, 'tenant move refused');
      send({ type: 'error', message: error.message });
      return;
    }
    logger.error({ operator: operator.email, slug: tenant.slug, to: input.strategy, err: error }, 'tenant move failed');
    send({
      type: 'error',
      message: `Moving "${tenant.slug}" failed on the server (logged). Until its switch a tenant stays where it was and serves from there; moving it again starts over.`,
    });
  }
}
