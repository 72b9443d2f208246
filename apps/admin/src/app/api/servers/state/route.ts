import { operatorPost } from '@/server/api';
import { changeServerState, serverStateInput } from '@/server/servers';

// POST { name, state }: drain a server, mark it read-only, or open it again. 404 for a server this deployment does not
// list, 422 with the reason for a state the library refuses (the primary cannot be read-only); 200 with the new state.
export const POST = operatorPost(serverStateInput, async (input, operator) => {
  const result = await changeServerState(input, operator);
  if (!result.ok) return Response.json({ error: result.error, fieldErrors: result.fieldErrors }, { status: result.status });
  return Response.json({ server: { name: result.name, state: result.state } });
});
