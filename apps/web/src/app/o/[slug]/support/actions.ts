'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { UserFacingError } from '@/server/errors';
import { approveSupportAccess, revokeSupportAccess } from '@/server/queries/support-access';

const requestId = z.uuid('Not a support request.');

/** The functions refuse anyone but an owner or admin (42501); a request that is no longer open is P0002. */
async function settled<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === 'P0002') throw new UserFacingError('not-found', 'That request is no longer open: reload the page.');
    throw error;
  }
}

export const approveSupportAction = validatedAction(
  'approveSupport',
  z.object({ id: requestId, minutes: z.coerce.number().int().min(1).max(60) }),
  async ({ id, minutes }, tx) => {
    const ends = await settled(() => approveSupportAccess(tx, id, minutes));
    return { message: `Approved until ${ends.toISOString().slice(11, 16)} UTC.`, revalidate: ['/support'] };
  },
);

export const revokeSupportAction = validatedAction('revokeSupport', z.object({ id: requestId }), async ({ id }, tx) => {
  await settled(() => revokeSupportAccess(tx, id));
  return { message: 'Support access ended.', revalidate: ['/support'] };
});
