'use server';

import { hashPassword } from '@repo/auth/password';
import { newPasswordSchema } from '@repo/auth/password-change';
import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { resetPassword } from '@/server/accounts/store';
import { tokenHash } from '@/server/accounts/token-hash';

const resetSchema = z.object({ token: z.string().min(20).max(200), password: newPasswordSchema });

/** A new password from an emailed link; every session of the user ends (public.reset_password). */
export async function resetPasswordAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = textFields(formData);
  const parsed = resetSchema.safeParse(values);
  if (!parsed.success) return invalidFields(parsed.error, { token: values.token ?? '' });
  const reset = await resetPassword(tokenHash(parsed.data.token), await hashPassword(parsed.data.password));
  if (!reset) {
    return {
      status: 'error',
      kind: 'invalid',
      message: 'This link is invalid, already used or expired. Ask for a new one.',
      values: { token: values.token ?? '' },
      at: Date.now(),
    };
  }
  logger.info({ event: 'password.reset' }, 'password reset by emailed link');
  return {
    status: 'ok',
    message: 'Your password is changed and every session of yours has ended. Sign in with the new one.',
    result: undefined,
    at: Date.now(),
  };
}
