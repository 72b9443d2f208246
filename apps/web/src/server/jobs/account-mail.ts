import 'server-only';

import { randomBytes } from 'node:crypto';
import type { JobDefinition } from '@repo/jobs';

import { issueInvitationToken } from '@/server/accounts/invitations';
import { issueToken, userIdByEmail } from '@/server/accounts/store';
import { tokenHash } from '@/server/accounts/token-hash';
import { mailer } from '@/server/mail';

// The account mails, sent by the job queue's worker. No payload carries a token: the worker makes it, stores only its
// sha256 (public.issue_account_token) and mails it, so the queue's tables hold nothing that opens an account. The
// payload's `origin` is the enqueuing server's own public URL (NEXTAUTH_URL), never a request's Host header.

export const VERIFY_EMAIL_JOB = 'account.verify-email';
export const RESET_PASSWORD_JOB = 'account.reset-password';
export const SIGN_UP_TAKEN_JOB = 'account.sign-up-taken';
/** A tenant job: it carries the inviting admin's tenant, user and role, and runs in that tenant's context. */
export const INVITATION_JOB = 'invitation.send';

/** How long the links work. */
export const VERIFY_EMAIL_TTL_SECONDS = 24 * 3600;
export const RESET_PASSWORD_TTL_SECONDS = 3600;
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

const newToken = () => {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: tokenHash(token) };
};

export const ACCOUNT_JOBS: JobDefinition<never>[] = [
  {
    name: VERIFY_EMAIL_JOB,
    async handler({ userId, origin }: { userId: string; origin: string }) {
      const { token, hash } = newToken();
      // Nobody to mail when the user is gone or has confirmed meanwhile.
      const to = await issueToken(userId, 'verify-email', hash, VERIFY_EMAIL_TTL_SECONDS);
      if (!to) return;
      await mailer().send({
        to: to.email,
        subject: 'Confirm your email address',
        text: `Hello ${to.name},\n\nconfirm your email address to start using your organisation:\n\n${origin}/verify-email?token=${token}\n\nThe link works once, for 24 hours. If you did not sign up, ignore this mail.\n`,
      });
    },
  },
  {
    name: RESET_PASSWORD_JOB,
    async handler({ email, origin }: { email: string; origin: string }) {
      const userId = await userIdByEmail(email);
      // An unknown address gets no mail; the page said the same either way.
      if (!userId) return;
      const { token, hash } = newToken();
      const to = await issueToken(userId, 'reset-password', hash, RESET_PASSWORD_TTL_SECONDS);
      if (!to) return;
      await mailer().send({
        to: to.email,
        subject: 'Reset your password',
        text: `Hello ${to.name},\n\nset a new password here:\n\n${origin}/reset-password?token=${token}\n\nThe link works once, for one hour, and signs you out everywhere. If you did not ask for it, ignore this mail: your password stays as it is.\n`,
      });
    },
  },
  {
    name: SIGN_UP_TAKEN_JOB,
    async handler({ email, origin }: { email: string; origin: string }) {
      // The sign-up page answered as for a new account; the owner of the address learns what happened here.
      await mailer().send({
        to: email,
        subject: 'You already have an account',
        text: `Hello,\n\nsomeone, perhaps you, tried to sign up with this address, which already has an account. Nothing was changed.\n\nSign in: ${origin}/sign-in\nForgot your password? ${origin}/forgot-password\n`,
      });
    },
  },
  {
    name: INVITATION_JOB,
    async handler({ invitationId, origin }: { invitationId: string; origin: string }, { tenant }) {
      // Run in the tenant's context: a tenant deleted meanwhile skips it, a moving one retries it (@repo/jobs). The
      // invitation must belong to that tenant, whatever the payload says.
      if (!tenant) throw new Error('an invitation job carries its tenant');
      const { token, hash } = newToken();
      const invitation = await issueInvitationToken(tenant.id, invitationId, hash, INVITATION_TTL_SECONDS);
      // Revoked (or replaced) before the worker got to it: nothing to send.
      if (!invitation) return;
      await mailer().send({
        to: invitation.email,
        subject: `You are invited to ${invitation.organisation}`,
        text: `Hello,\n\n${invitation.inviter} invites you to join ${invitation.organisation} as ${invitation.role}:\n\n${origin}/invite?token=${token}\n\nThe link works once, for 7 days, and only for ${invitation.email}: sign in with that address, or create an account with it from the link.\n`,
      });
    },
  },
] as JobDefinition<never>[];
