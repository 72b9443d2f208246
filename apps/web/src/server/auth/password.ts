import 'server-only';

import { changeUserPassword } from '@repo/auth/password-change';

import { requireSession } from '../session';
import { authPool, verifyCredentials } from './accounts';

export type PasswordChange = 'changed' | 'wrong-password';

/**
 * The signed-in user changes their password: the current one is checked first, then the new hash is stored and every
 * other session of the user ends (public.set_user_password and its trigger); this session stays. For a future
 * "change password" form (a server action would call it); there is none yet.
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<PasswordChange> {
  const session = await requireSession();
  if (!(await verifyCredentials(session.user.email, currentPassword))) return 'wrong-password';
  await changeUserPassword(authPool(), { userId: session.user.id, newPassword, keepSessionId: session.sessionId });
  return 'changed';
}
