'use server';

import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { accountMailLimiter } from '@/server/accounts/limits';
import { requestAddress } from '@/server/accounts/request-address';
import { RESET_PASSWORD_JOB } from '@/server/jobs/account-mail';
import { sendJob } from '@/server/jobs/queue';
import { publicOrigin } from '@/server/public-origin';

const forgotSchema = z.object({ email: z.email('Enter a valid email address').max(320) });

/**
 * The same answer, in the same time, whether or not the address has an account: the request only queues a job, and the
 * worker looks the address up and mails a link only when there is an account.
 */
export async function forgotPasswordAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = textFields(formData);
  const parsed = forgotSchema.safeParse(values);
  if (!parsed.success) return invalidFields(parsed.error, values);
  const { email } = parsed.data;
  const attempt = await accountMailLimiter('reset').attempt({ account: email.toLowerCase(), address: await requestAddress() });
  if (!attempt.allowed) {
    logger.warn({ event: 'password-reset.limited', limitedBy: attempt.limitedBy }, 'password reset refused: too many');
    return {
      status: 'error',
      kind: 'retry',
      message: `Too many requests. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`,
      values,
      at: Date.now(),
    };
  }
  await sendJob(RESET_PASSWORD_JOB, { email, origin: publicOrigin() });
  return {
    status: 'ok',
    message: `If ${email} has an account, a link to reset its password is on its way. It works for one hour.`,
    result: undefined,
    at: Date.now(),
  };
}
