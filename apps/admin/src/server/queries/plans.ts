import 'server-only';

import { planOf, planStatus, readPlan, readPlans, type PlanRecord, type PlanStatus } from '@repo/db/plan-changes';
import type { Tenant } from '@repo/tenancy';

import { operatorDb } from '../operator-db';

// Tenants' plans (public.tenant_plans), read as app_operator. A tenant without a row is on free.

export async function planRecords(): Promise<Map<string, PlanRecord>> {
  return readPlans(operatorDb());
}

/** Each tenant's plan and whether its placement matches it, by tenant id. */
export async function planStatuses(tenants: readonly Tenant[]): Promise<Map<string, PlanStatus>> {
  const records = await planRecords();
  return new Map(tenants.map((t) => [t.id, planStatus(t.strategy, planOf(records, t.id))]));
}

export async function tenantPlanStatus(tenant: Tenant): Promise<PlanStatus> {
  return planStatus(tenant.strategy, await readPlan(operatorDb(), tenant.id));
}
