import 'server-only';

import { SLUG_PATTERN, STRATEGIES, type MoveProgress, type Tenant } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { MOVE_STEPS } from '@/lib/labels';
import type { FieldErrors } from './api';
import type { Send } from './ndjson';
import { findTenant, serverStates } from './queries/catalog';
import { tenantMigrationTags } from './queries/migrations';
import { holdsSharedTables, primaryName, SERVER_NAME, serverNames } from './servers';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// Move a tenant to another strategy, another server, or both: tenancy.moveTenant (copy while serving, a short pause,
// the switch, the cleanup) with each step sent to the browser as it happens, and the write pause it cost at the end.

export const moveTenantInput = z
  .object({
    slug: z.string().trim().regex(SLUG_PATTERN, 'Not a tenant slug.'),
    /** Left out: the strategy it has. */
    strategy: z.enum(STRATEGIES, { error: 'Choose a strategy.' }).optional(),
    /** Left out: the server it is on (for rls, the primary when that server holds no shared tables). */
    server: z.string().trim().regex(SERVER_NAME, 'Not a server name.').optional(),
  })
  .refine((input) => input.strategy !== undefined || input.server !== undefined, { path: ['strategy'], message: 'Choose a strategy or a server.' });

export type MoveTenantInput = z.infer<typeof moveTenantInput>;

/**
 * Where a move takes the tenant: what the input leaves out stays as it is, as the library does (an rls tenant-to-be
 * leaves a server without shared tables for the primary).
 */
function targetOf(tenant: Tenant, input: MoveTenantInput): { strategy: Tenant['strategy']; server: string } {
  const strategy = input.strategy ?? tenant.strategy;
  return { strategy, server: input.server ?? (strategy === 'rls' && !holdsSharedTables(tenant.server) ? primaryName() : tenant.server) };
}

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
  if (input.server !== undefined && !serverNames().includes(input.server)) {
    const message = `No server named "${input.server}" in this deployment: choose one of ${serverNames().join(', ')}.`;
    return { status: 422, error: message, fieldErrors: { server: message } };
  }
  const target = targetOf(tenant, input);
  if (target.strategy === 'rls' && !holdsSharedTables(target.server)) {
    const message = `Server "${target.server}" holds no shared tables, so no rls tenant: choose schema or database to move there, or a server with shared tables.`;
    return { status: 422, error: message, fieldErrors: { strategy: message } };
  }
  if (tenant.strategy === target.strategy && tenant.server === target.server) {
    const message =
      input.server === undefined
        ? `Tenant "${tenant.slug}" is already in ${tenant.strategy}: choose another strategy.`
        : `Tenant "${tenant.slug}" is already in ${tenant.strategy} on "${tenant.server}": choose another strategy or server.`;
    return { status: 422, error: message, fieldErrors: { [input.server === undefined ? 'strategy' : 'server']: message } };
  }
  const targetState = target.server === tenant.server ? 'open' : ((await serverStates()).get(target.server) ?? 'open');
  if (targetState !== 'open') {
    return { status: 409, error: `Server "${target.server}" is ${targetState.replace('_', '-')}: it takes no tenants. Open it on the Servers page first.` };
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
  const target = targetOf(tenant, input);
  send({
    type: 'start',
    tenant: tenant.slug,
    from: tenant.strategy,
    to: target.strategy,
    fromServer: tenant.server,
    toServer: target.server,
    steps: MOVE_STEPS,
  });
  try {
    const summary = await tenancy().moveTenant(tenant.slug, target, { onProgress: (progress) => send(event(progress)) });
    const { from, to, fromServer, toServer, rows, pauseMs, caughtUp, ms } = summary;
    logger.info({ operator: operator.email, slug: tenant.slug, from, to, fromServer, toServer, rows, pauseMs, caughtUp, ms }, 'tenant moved');
    send({
      type: 'done',
      tenant: { slug: summary.tenant.slug, strategy: summary.tenant.strategy, server: summary.tenant.server },
      from,
      to,
      fromServer,
      toServer,
      rows,
      pauseMs,
      caughtUp,
      ms,
    });
  } catch (error) {
    // The library's errors say what happened and what to do; anything else is logged, not shown.
    if (isTenancyError(error)) {
      logger.warn({ operator: operator.email, slug: tenant.slug, to: target, err: error }, 'tenant move refused');
      send({ type: 'error', message: error.message });
      return;
    }
    logger.error({ operator: operator.email, slug: tenant.slug, to: target, err: error }, 'tenant move failed');
    send({
      type: 'error',
      message: `Moving "${tenant.slug}" failed on the server (logged). Until its switch a tenant stays where it was and serves from there; moving it again starts over.`,
    });
  }
}
