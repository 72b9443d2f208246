'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { forgetMemberships } from '@/server/auth/accounts';
import { setMemberRole } from '@/server/queries/members';

const roleInput = z.object({
  userId: z.uuid('Unknown member'),
  role: z.enum(['admin', 'member', 'viewer'], { error: 'Pick a role' }),
});

/**
 * public.set_member_role decides: it refuses a caller who is not an admin of the context's tenant (42501), a
 * user who is not a member (P0002) and demoting the last admin (TA001). Runs in the control plane.
 */
export const changeRoleAction = validatedAction(
  'members.role',
  roleInput,
  async (input, tx) => {
    const previous = await setMemberRole(tx, input.userId, input.role);
    forgetMemberships(input.userId);
    return { message: previous === input.role ? 'No change.' : 'Role updated.', revalidate: ['/members'] };
  },
  { scope: 'control' },
);
