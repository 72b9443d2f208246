import { operatorPost } from '@/server/api';
import { ndjsonResponse } from '@/server/ndjson';
import { changePlanInput, changeTenantPlan, precheck } from '@/server/plan';

// POST: change a tenant's plan, moving it to the plan's placement. 404/409/422 with the reason when it cannot start (no
// such tenant or plan, not active, already on it, behind on migrations); otherwise a stream of NDJSON events (start,
// progress..., then done or error) while it moves.
export const POST = operatorPost(changePlanInput, async (input, operator) => {
  const checked = await precheck(input);
  if (!('tenant' in checked)) return Response.json({ error: checked.error, fieldErrors: checked.fieldErrors }, { status: checked.status });
  return ndjsonResponse((send) => changeTenantPlan(checked.tenant, input, operator, send));
});
