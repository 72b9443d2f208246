import type { StrategyName } from '@repo/tenancy';

// The plans a tenant can be on and the placement each one means: the one place that ties them together. Both apps,
// the CLI and the seed read it from here (@repo/db/plans). No database code: client components import it too.

export const PLANS = ['free', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** A tenant without a plan row is on this plan: sign-up makes rls tenants and writes none. */
export const DEFAULT_PLAN: Plan = 'free';

/** Where a tenant on each plan lives. Changing a plan moves the tenant online (see ./change.ts). */
export const PLAN_STRATEGY = {
  free: 'rls',
  business: 'schema',
  enterprise: 'database',
} as const satisfies Record<Plan, StrategyName>;

export const PLAN_RULE_TEXT = `Choose a plan: ${PLANS.join(', ')}.`;

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && (PLANS as readonly string[]).includes(value);
}

export function strategyForPlan(plan: Plan): StrategyName {
  return PLAN_STRATEGY[plan];
}

/** The plan whose placement a strategy is: each strategy belongs to exactly one plan. */
export function planForStrategy(strategy: StrategyName): Plan {
  const plan = PLANS.find((p) => PLAN_STRATEGY[p] === strategy);
  if (!plan) throw new Error(`No plan places tenants in ${strategy}.`);
  return plan;
}
