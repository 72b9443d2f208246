'use server';

import { hashPassword } from '@repo/auth/password';
import { newPasswordSchema } from '@repo/auth/password-change';
import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { redirect } from 'next/navigation';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { acceptInvitation, signUpInvited } from '@/server/accounts/invitations';
import { tokenHash } from '@/server/accounts/token-hash';
import { forgetMemberships } from '@/server/auth/accounts';
import { NUL_MESSAGE, withoutNul } from '@/server/errors';
import { requireSession } from '@/server/session';

const tokenSchema = z.string().min(20).max(200);
const REFUSED = 'This invitation is invalid, already used, revoked or expired. Ask for a new one.';

/** The signed-in user joins the organisation, if the invitation is for their address. */
export async function acceptInvitationAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const session = await requireSession();
  const token = tokenSchema.safeParse(formData.get('token'));
  const outcome = token.success ? await acceptInvitation(tokenHash(token.data), session.user.id) : 'link-refused';
  if (outcome === 'other-address') {
    return {
      status: 'error',
      kind: 'forbidden',
      message: `This invitation is for another address than ${session.user.email}. Sign in with the invited address.`,
      at: Date.now(),
    };
  }
  if (outcome === 'link-refused') return { status: 'error', kind: 'invalid', message: REFUSED, at: Date.now() };
  logger.info({ event: 'invitation.accepted', userId: session.user.id }, 'invitation accepted');
  forgetMemberships(session.user.id);
  redirect(organisationHome(outcome.tenantSlug));
}

const signUpSchema = z.object({
  token: tokenSchema,
  name: z.string().trim().min(1, 'Enter your name').max(200).refine(withoutNul, NUL_MESSAGE),
  password: newPasswordSchema,
});

/** An invitee without an account makes one with the invited address; they sign in next. */
export async function signUpInvitedAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = textFields(formData);
  const parsed = signUpSchema.safeParse(values);
  if (!parsed.success) return invalidFields(parsed.error, { token: values.token ?? '', name: values.name ?? '' });
  const outcome = await signUpInvited(tokenHash(parsed.data.token), parsed.data.name, await hashPassword(parsed.data.password));
  if (outcome === 'link-refused') return { status: 'error', kind: 'invalid', message: REFUSED, at: Date.now() };
  if (outcome === 'has-account') {
    return { status: 'error', kind: 'conflict', message: 'The invited address already has an account: sign in with it to accept.', values, at: Date.now() };
  }
  logger.info({ event: 'invitation.signed-up' }, 'account made through an invitation');
  return { status: 'ok', message: `Your account for ${outcome.email} is ready and you are a member. Sign in to start.`, result: undefined, at: Date.now() };
}

function organisationHome(slug: string): string {
  return `/o/${slug}/projects`;
}
