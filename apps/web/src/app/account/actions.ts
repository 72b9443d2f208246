'use server';

import { newPasswordSchema } from '@repo/auth/password-change';
import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { changeOwnPassword } from '@/server/accounts/password';
import { requireSession } from '@/server/session';

const changeSchema = z.object({ currentPassword: z.string().min(1, 'Enter your current password').max(1024), newPassword: newPasswordSchema });

export async function changePasswordAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const session = await requireSession();
  const parsed = changeSchema.safeParse(textFields(formData));
  if (!parsed.success) return invalidFields(parsed.error, {});
  const outcome = await changeOwnPassword({
    userId: session.user.id,
    email: session.user.email,
    sessionId: session.sessionId,
    currentPassword: parsed.data.currentPassword,
    newPassword: parsed.data.newPassword,
  });
  if (outcome === 'wrong-password') {
    return {
      status: 'error',
      kind: 'invalid',
      message: 'Your current password is not that one.',
      fieldErrors: { currentPassword: ['Not your current password'] },
      at: Date.now(),
    };
  }
  logger.info({ event: 'password.changed', userId: session.user.id }, 'password changed; other sessions ended');
  return { status: 'ok', message: 'Password changed. Your other sessions have ended; this one stays.', result: undefined, at: Date.now() };
}
