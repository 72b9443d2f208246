'use server';

import type { ActionState } from '@repo/ui';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import { confirmEmail } from '@/server/accounts/store';
import { tokenHash } from '@/server/accounts/token-hash';

const tokenSchema = z.string().min(20).max(200);

export async function confirmEmailAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const token = tokenSchema.safeParse(formData.get('token'));
  const confirmed = token.success ? await confirmEmail(tokenHash(token.data)) : null;
  if (!confirmed) {
    return {
      status: 'error',
      kind: 'invalid',
      message: 'This link is invalid, already used or expired. Sign up again, or sign in if you already confirmed.',
      at: Date.now(),
    };
  }
  logger.info({ event: 'email.confirmed' }, 'email confirmed');
  return { status: 'ok', message: `${confirmed.email} is confirmed. You can sign in now.`, result: undefined, at: Date.now() };
}
