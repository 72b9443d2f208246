import type { MoveProgress, MoveSummary, Tenant } from '@repo/tenancy';
import pg from 'pg';
import type { AppTenancy } from '../tenancy';
import { isPlan, strategyForPlan, type Plan } from './catalog';
import { InvalidPlanError, PlanChangeBusyError } from './errors';
import { readPlan, recordDone, recordPending, type PlanRecord } from './records';

/*
 * Changing a tenant's plan moves it to that plan's placement, online, with the tenancy library's moveTenant.
 *
 * The order is what makes it crash-safe:
 *   1. the plan asked for is written as `pending_plan` (the plan in effect stays as it was);
 *   2. moveTenant(tenant, strategyForPlan(asked)): until its switch the tenant serves from the old placement;
 *   3. after the switch: `plan` = asked, `pending_plan` = NULL, in one statement.
 * A failure or a SIGKILL anywhere leaves `pending_plan` set and the tenant where the plan in effect or the pending
 * plan places it, never anywhere else. The tenant page shows that state; the same call again finishes it
 * (moveTenant finishes or restarts the move, or, when the switch was already done, removes the old placement's
 * remains), and a change back to the plan in effect cancels it (moveTenant to where the tenant is removes what the
 * abandoned move had made). A plan is thus never recorded as in effect before the tenant is where it places it.
 *
 * One change per tenant at a time, across processes: a session advisory lock on a connection of its own to the
 * owner URL (always direct to PostgreSQL, never a transaction-mode PgBouncer, where a session lock means nothing).
 * It dies with a killed process, so the next call knows an earlier one is over and may take over its pending plan.
 */

export interface PlanChangeOptions {
  /** Each step of the move, as moveTenant reports it. */
  onProgress?: (progress: MoveProgress) => void;
  /**
   * Where the plan rows are written: the admin app passes its app_operator pool. Without it they are written on the
   * lock's own connection (the owner's), as the CLI does.
   */
  control?: Pick<pg.ClientBase, 'query'>;
}

export interface PlanChangeSummary {
  tenant: Tenant;
  /** The plan in effect before the call. */
  from: Plan;
  to: Plan;
  /** The change that was pending when the call started (an interrupted one), if any. */
  resumed: Plan | null;
  /** What the move did: from === to when the tenant was already in the plan's placement (then pauseMs is 0). */
  move: MoveSummary;
}

type Tenancy = Pick<AppTenancy, 'getTenant' | 'moveTenant' | 'config'>;

const LOCK_CLASS = 'public.tenant_plans';

export async function changePlan(tenancy: Tenancy, key: string, plan: string, options: PlanChangeOptions = {}): Promise<PlanChangeSummary> {
  if (!isPlan(plan)) throw new InvalidPlanError(plan);
  const adminUrl = tenancy.config.adminUrl;
  if (!adminUrl) throw new Error('changePlan needs the owner connection (adminUrl): it moves tenants.');
  const tenant = await tenancy.getTenant(key);
  const lock = new pg.Client({ connectionString: adminUrl, application_name: 'plans:change' });
  // A connection error after the change has ended must not crash the process.
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [LOCK_CLASS, tenant.id]);
    if (!rows[0]?.ok) throw new PlanChangeBusyError(tenant.slug);
    const control = options.control ?? lock;
    const before: PlanRecord = await readPlan(control, tenant.id);
    // Nothing to remember when the call only confirms the plan in effect (a crash then changes nothing anyway).
    if (plan !== before.plan || before.pendingPlan !== null) await recordPending(control, tenant.id, before.plan, plan);
    const move = await tenancy.moveTenant(tenant.id, strategyForPlan(plan), options.onProgress ? { onProgress: options.onProgress } : {});
    await recordDone(control, tenant.id, plan);
    return { tenant: move.tenant, from: before.plan, to: plan, resumed: before.pendingPlan, move };
  } finally {
    // Closing the connection releases the lock, also when the unlock itself could not be sent.
    await lock.end().catch(() => undefined);
  }
}
