'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { INVITATION_JOB } from '@/server/jobs/account-mail';
import { sendJob } from '@/server/jobs/queue';
import { publicOrigin } from '@/server/public-origin';
import { createInvitation, revokeInvitation } from '@/server/queries/invitations';

const inviteInput = z.object({
  email: z.email('Enter a valid email address').max(320),
  role: z.enum(['admin', 'member', 'viewer'], { error: 'Pick a role' }),
});

/**
 * public.create_invitation decides: only an admin of the context's organisation (42501), not someone already a member
 * (TA030). The mail is a job of this organisation, queued once the invitation is committed: the worker makes the
 * link's token in the organisation's context and mails it.
 */
export const inviteAction = validatedAction(
  'members.invite',
  inviteInput,
  async (input, tx, session) => {
    const invitationId = await createInvitation(tx, input.email, input.role);
    return {
      message: `Invitation sent to ${input.email}.`,
      revalidate: ['/members'],
      afterCommit: async () => {
        await sendJob(
          INVITATION_JOB,
          { invitationId, origin: publicOrigin() },
          { tenant: { id: session.tenantId, userId: session.user.id, role: session.role } },
        );
      },
    };
  },
  { scope: 'control' },
);

/** public.revoke_invitation: only an admin, only a pending invitation of this organisation (TA032). */
export const revokeInvitationAction = validatedAction(
  'members.revoke-invitation',
  z.object({ invitationId: z.uuid('Unknown invitation') }),
  async (input, tx) => {
    await revokeInvitation(tx, input.invitationId);
    return { message: 'Invitation revoked.', revalidate: ['/members'] };
  },
  { scope: 'control' },
);
