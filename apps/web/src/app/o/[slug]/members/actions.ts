'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { forgetMemberships } from '@/server/auth/accounts';
import { SIGN_IN_PATH } from '@/server/auth/config';
import { leaveWorkspace, removeMember, setMemberRole } from '@/server/queries/members';

// The database decides every one of these (public.set_member_role, public.remove_member, public.leave_organisation,
// in the control plane): it refuses callers who are not an owner or admin of the context's tenant (42501), an admin
// touching an owner or making one (TA002), strangers (P0002), and losing the last owner (TA001). The page only hides
// what it would refuse.

const roleInput = z.object({
  userId: z.uuid('Unknown member'),
  role: z.enum(['owner', 'admin', 'member', 'viewer'], { error: 'Pick a role' }),
});

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

const memberInput = z.object({ userId: z.uuid('Unknown member') });

/** The removed member's sessions end with the membership (control-plane migration 0006's trigger). */
export const removeMemberAction = validatedAction(
  'members.remove',
  memberInput,
  async (input, tx) => {
    await removeMember(tx, input.userId);
    forgetMemberships(input.userId);
    return { message: 'Member removed.', revalidate: ['/members'] };
  },
  { scope: 'control' },
);

/** Leaving ends the user's sessions like any removal, so they sign in again. */
export const leaveWorkspaceAction = validatedAction(
  'members.leave',
  z.object({}),
  async (_input, tx, session) => {
    await leaveWorkspace(tx);
    forgetMemberships(session.user.id);
    return { exitTo: SIGN_IN_PATH };
  },
  { scope: 'control' },
);
