import { migrateAll, migrateInput } from '@/server/migrate';
import { ndjsonResponse } from '@/server/ndjson';
import { operatorPost } from '@/server/api';

// POST: run tenancy.migrate over every tenant; a stream of NDJSON events (start, progress..., summary).
export const POST = operatorPost(migrateInput, async (input, operator) => ndjsonResponse((send) => migrateAll(input, operator, send)));
