import { ndjsonResponse } from '@/server/ndjson';
import { createTenantInput, precheck, provisionTenant } from '@/server/provision';
import { operatorPost } from '@/server/api';

// POST: create a tenant and its first admin. 422 with field errors when the form is wrong; otherwise a
// stream of NDJSON events (start, step..., then done, invalid or error) while the tenant is provisioned.
export const POST = operatorPost(createTenantInput, async (input, operator) => {
  const fieldErrors = await precheck(input);
  if (fieldErrors) return Response.json({ error: 'Invalid input.', fieldErrors }, { status: 422 });
  return ndjsonResponse((send) => provisionTenant(input, operator, send));
});
