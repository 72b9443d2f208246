import 'server-only';

import { changeUserPassword } from '@repo/auth/password-change';

import { authPool, verifyCredentials } from '@/server/auth/accounts';

/**
 * A signed-in user's new password, after the current one checked out: every other session of the user ends, the one
 * making the change stays (public.set_user_password and the password-change trigger, control-plane migration 0006).
 */
export async function changeOwnPassword(input: {
  userId: string;
  email: string;
  sessionId: string;
  currentPassword: string;
  newPassword: string;
}): Promise<'changed' | 'wrong-password'> {
  const user = await verifyCredentials(input.email, input.currentPassword);
  if (!user || user.id !== input.userId) return 'wrong-password';
  await changeUserPassword(authPool(), { userId: input.userId, newPassword: input.newPassword, keepSessionId: input.sessionId });
  return 'changed';
}
