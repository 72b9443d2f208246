import type { StrategyName } from '@repo/tenancy';
import { planForStrategy, strategyForPlan, type Plan } from './catalog';
import type { PlanRecord } from './records';

/** Whether a tenant is where its plan places it, and if not, what would put it right. */
export interface PlanStatus {
  plan: Plan;
  pendingPlan: Plan | null;
  /** Where the plan in effect places the tenant. */
  expected: StrategyName;
  /** Where the catalog says it is. */
  strategy: StrategyName;
  /** In its plan's placement with no change pending. */
  matches: boolean;
  /**
   * The plan whose change finishes the job: the pending one when a change was interrupted, else the plan in effect
   * (moving the tenant back where its plan places it). The other way out is planForStrategy(strategy): recording the
   * plan its placement already is, which moves nothing.
   */
  finish: Plan | null;
  /** The plan the tenant's current placement belongs to. */
  placementPlan: Plan;
}

export function planStatus(strategy: StrategyName, record: PlanRecord): PlanStatus {
  const expected = strategyForPlan(record.plan);
  const matches = record.pendingPlan === null && expected === strategy;
  return {
    plan: record.plan,
    pendingPlan: record.pendingPlan,
    expected,
    strategy,
    matches,
    finish: matches ? null : (record.pendingPlan ?? record.plan),
    placementPlan: planForStrategy(strategy),
  };
}
