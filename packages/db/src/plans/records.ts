import type pg from 'pg';
import { DEFAULT_PLAN, isPlan, type Plan } from './catalog';

// public.tenant_plans, read and written by whoever holds the control-plane connection (the admin app's
// app_operator, the CLI's owner connection). A tenant without a row is on DEFAULT_PLAN.

export interface PlanRecord {
  /** The plan in effect: the tenant was last put where this plan places it. */
  plan: Plan;
  /**
   * A change asked for and not known to be finished: written before the move starts, cleared with the new plan
   * once the move has switched. While it is set the tenant is where `plan` or where `pendingPlan` places it.
   */
  pendingPlan: Plan | null;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

interface Row {
  tenant_id: string;
  plan: string;
  pending_plan: string | null;
}

function toRecord(row: Row | undefined): PlanRecord {
  if (!row) return { plan: DEFAULT_PLAN, pendingPlan: null };
  // The table's CHECK holds these to PLANS; a value outside them is read as what it would have to be.
  return { plan: isPlan(row.plan) ? row.plan : DEFAULT_PLAN, pendingPlan: isPlan(row.pending_plan) ? row.pending_plan : null };
}

export async function readPlan(db: Queryable, tenantId: string): Promise<PlanRecord> {
  const { rows } = await db.query<Row>('SELECT tenant_id, plan, pending_plan FROM public.tenant_plans WHERE tenant_id = $1', [tenantId]);
  return toRecord(rows[0]);
}

/** Every tenant's record by tenant id; tenants missing from the map are on DEFAULT_PLAN. */
export async function readPlans(db: Queryable): Promise<Map<string, PlanRecord>> {
  const { rows } = await db.query<Row>('SELECT tenant_id, plan, pending_plan FROM public.tenant_plans');
  return new Map(rows.map((row) => [row.tenant_id, toRecord(row)]));
}

export function planOf(plans: Map<string, PlanRecord>, tenantId: string): PlanRecord {
  return plans.get(tenantId) ?? { plan: DEFAULT_PLAN, pendingPlan: null };
}

/** The plan of a tenant just created in that plan's placement: nothing pending. */
export async function recordPlan(db: Queryable, tenantId: string, plan: Plan): Promise<void> {
  await db.query(
    `INSERT INTO public.tenant_plans (tenant_id, plan) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET plan = EXCLUDED.plan, pending_plan = NULL, updated_at = now()`,
    [tenantId, plan],
  );
}

/** Step 1 of a change: the plan asked for, kept beside the plan in effect until the move has switched. */
export async function recordPending(db: Queryable, tenantId: string, current: Plan, pending: Plan): Promise<void> {
  await db.query(
    `INSERT INTO public.tenant_plans (tenant_id, plan, pending_plan) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET pending_plan = EXCLUDED.pending_plan, updated_at = now()`,
    [tenantId, current, pending],
  );
}

/** The last step: the tenant is where `plan` places it, so it is the plan in effect and nothing is pending. */
export async function recordDone(db: Queryable, tenantId: string, plan: Plan): Promise<void> {
  await recordPlan(db, tenantId, plan);
}
