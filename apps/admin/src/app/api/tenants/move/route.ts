import { operatorPost } from '@/server/api';
import { moveTenant, moveTenantInput, precheck } from '@/server/move';
import { ndjsonResponse } from '@/server/ndjson';

// POST: move a tenant to another strategy. 404/409/422 with the reason when it cannot start (no such tenant, not
// active, already there, behind on migrations); otherwise a stream of NDJSON events (start, progress..., then done
// or error) while it moves.
export const POST = operatorPost(moveTenantInput, async (input, operator) => {
  const checked = await precheck(input);
  if (!('tenant' in checked)) return Response.json({ error: checked.error, fieldErrors: checked.fieldErrors }, { status: checked.status });
  return ndjsonResponse((send) => moveTenant(checked.tenant, input, operator, send));
});
