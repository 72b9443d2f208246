'use server';

import { hashPassword } from '@repo/auth/password';
import { newPasswordSchema } from '@repo/auth/password-change';
import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { accountMailLimiter } from '@/server/accounts/limits';
import { requestAddress } from '@/server/accounts/request-address';
import { organisationSlug } from '@/server/accounts/slug';
import { createAccount } from '@/server/accounts/store';
import { NUL_MESSAGE, withoutNul } from '@/server/errors';
import { SIGN_UP_TAKEN_JOB, VERIFY_EMAIL_JOB } from '@/server/jobs/account-mail';
import { sendJob } from '@/server/jobs/queue';
import { publicOrigin } from '@/server/public-origin';

const signUpSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(200, 'At most 200 characters').refine(withoutNul, NUL_MESSAGE),
  email: z.email('Enter a valid email address').max(320),
  password: newPasswordSchema,
  organisation: z.string().trim().min(1, 'Name your organisation').max(200, 'At most 200 characters').refine(withoutNul, NUL_MESSAGE),
});

/**
 * A new user and organisation, then a mail. The answer is the same whether or not the address already had an account
 * (no account oracle): a new account gets the confirmation link, a taken address gets a mail saying so, and nobody is
 * signed in until the link is followed. What stays observable is unavoidable: the mailbox's owner learns it, and the
 * per-address limit counts either way.
 */
export async function signUpAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = textFields(formData);
  const parsed = signUpSchema.safeParse(values);
  if (!parsed.success) return invalidFields(parsed.error, { ...values, password: '' });
  const { name, email, password, organisation } = parsed.data;
  const attempt = await accountMailLimiter('sign-up').attempt({ account: email.toLowerCase(), address: await requestAddress() });
  if (!attempt.allowed) {
    logger.warn({ event: 'sign-up.limited', limitedBy: attempt.limitedBy }, 'sign-up refused: too many');
    return {
      status: 'error',
      kind: 'retry',
      message: `Too many sign-ups for this address. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`,
      values: { ...values, password: '' },
      at: Date.now(),
    };
  }
  const made = await createAccount({ email, name, passwordHash: await hashPassword(password), organisation, slug: organisationSlug(organisation) });
  if (made === 'taken') {
    logger.info({ event: 'sign-up.taken' }, 'sign-up for an address that has an account');
    await sendJob(SIGN_UP_TAKEN_JOB, { email, origin: publicOrigin() });
  } else {
    logger.info({ event: 'sign-up', userId: made.userId, tenantId: made.tenantId }, 'signed up');
    await sendJob(VERIFY_EMAIL_JOB, { userId: made.userId, origin: publicOrigin() });
  }
  return {
    status: 'ok',
    message: `Check your inbox: we sent a link to ${email}. Follow it to confirm your address, then sign in.`,
    result: undefined,
    at: Date.now(),
  };
}
