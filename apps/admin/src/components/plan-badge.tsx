import type { PlanStatus } from '@repo/db/plan-changes';

/** A tenant's plan, marked when its placement does not match it (an interrupted change, a move without the plan). */
export function PlanBadge({ status }: { status: Pick<PlanStatus, 'plan' | 'pendingPlan' | 'matches' | 'expected'> }) {
  return (
    <span className="plan-badge" data-testid="tenant-plan" data-plan={status.plan}>
      <span className={`plan-name plan-${status.plan}`}>{status.plan}</span>
      {!status.matches && (
        <span className="plan-mismatch-mark" data-testid="plan-mismatch-mark" title="The tenant is not where its plan places it: see its page.">
          {status.pendingPlan ? ` → ${status.pendingPlan} pending` : ` ≠ placement (plan wants ${status.expected})`}
        </span>
      )}
    </span>
  );
}
