import { hashPassword } from './password';
import { z } from 'zod';

import type { SessionDatabase } from './sessions';

// Changing a user's password ends their other sessions: public.set_user_password (control-plane migration 0006) stores
// the new hash, and the users table's trigger ends every session of the user but the one named to keep (the one making
// the change). There is no form for it yet: one would check the current password (checkSignInPassword) and call this.

export const newPasswordSchema = z.string().min(12, 'Use at least 12 characters').max(1024);

export async function changeUserPassword(
  db: SessionDatabase,
  input: { userId: string; newPassword: string; keepSessionId: string | undefined },
): Promise<void> {
  const password = newPasswordSchema.parse(input.newPassword);
  await db.query('SELECT public.set_user_password($1, $2, $3)', [input.userId, await hashPassword(password), input.keepSessionId ?? null]);
}
