'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { createApiKey, revokeApiKey } from '@/server/queries/api-keys';

const PAGE = '/settings/api-keys';

const createInput = z.object({
  name: z.string().trim().min(1, 'Give the key a name').max(100, 'The name must be at most 100 characters'),
  scope: z.enum(['read', 'write'], { error: 'Pick read or write' }),
});

/**
 * public.create_api_key decides who may: an owner or admin of the organisation in the context whose membership says so
 * (42501 otherwise). The key is made here and returned once, in this answer; the database keeps its sha256.
 */
export const createApiKeyAction = validatedAction(
  'api-keys.create',
  createInput,
  async (input, tx) => {
    const created = await createApiKey(tx, input);
    return { message: 'Key created. Copy it now: it is not shown again.', result: { key: created.key, prefix: created.prefix }, revalidate: [PAGE] };
  },
  { scope: 'control' },
);

/** public.revoke_api_key: only a key of the context's organisation (P0002 otherwise), only by an owner or admin. */
export const revokeApiKeyAction = validatedAction(
  'api-keys.revoke',
  z.object({ keyId: z.uuid('Unknown key') }),
  async (input, tx) => {
    await revokeApiKey(tx, input.keyId);
    return { message: 'Key revoked.', revalidate: [PAGE] };
  },
  { scope: 'control' },
);
