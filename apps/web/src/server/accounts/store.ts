import 'server-only';

import { authPool } from '@/server/auth/accounts';

// Sign-up, email confirmation and password reset in the database: control-plane migration 0011_accounts's functions,
// which only app_auth may execute (this module's pool is app_auth's). Tokens arrive here as their sha256 only.

/** SQLSTATE of an email that is taken, and of a link that is unknown, used, expired or of another purpose. */
const EMAIL_TAKEN = 'TA010';
const LINK_REFUSED = 'TA020';

export type TokenPurpose = 'verify-email' | 'reset-password';

const codeOf = (error: unknown) => (error as { code?: string }).code;

export interface NewAccount {
  email: string;
  name: string;
  passwordHash: string;
  organisation: string;
  slug: string;
}

/** The new user and organisation, or `taken` when the email already has an account (nothing was created then). */
export async function createAccount(input: NewAccount): Promise<{ userId: string; tenantId: string; tenantSlug: string } | 'taken'> {
  try {
    const { rows } = await authPool().query<{ user_id: string; tenant_id: string; tenant_slug: string }>(
      'SELECT user_id, tenant_id, tenant_slug FROM public.sign_up($1, $2, $3, $4, $5)',
      [input.email, input.name, input.passwordHash, input.organisation, input.slug],
    );
    return { userId: rows[0]!.user_id, tenantId: rows[0]!.tenant_id, tenantSlug: rows[0]!.tenant_slug };
  } catch (error) {
    if (codeOf(error) === EMAIL_TAKEN) return 'taken';
    throw error;
  }
}

/** Stores a new token's hash for the user; the address and name to mail, or null when there is nobody to mail. */
export async function issueToken(
  userId: string,
  purpose: TokenPurpose,
  tokenHash: string,
  ttlSeconds: number,
): Promise<{ email: string; name: string } | null> {
  const { rows } = await authPool().query<{ email: string; name: string }>('SELECT email, name FROM public.issue_account_token($1, $2, $3, $4)', [
    userId,
    purpose,
    tokenHash,
    ttlSeconds,
  ]);
  return rows[0] ?? null;
}

/** The account with this email, if any (the sign-in lookup: it also finds the user a reset link is for). */
export async function userIdByEmail(email: string): Promise<string | null> {
  const { rows } = await authPool().query<{ id: string }>('SELECT id FROM public.auth_user($1)', [email]);
  return rows[0]?.id ?? null;
}

/** Confirms the address a verification link was sent to; null for a link that does not (or no longer) work. */
export async function confirmEmail(tokenHash: string): Promise<{ email: string } | null> {
  try {
    const { rows } = await authPool().query<{ email: string }>('SELECT email FROM public.verify_email($1)', [tokenHash]);
    return rows[0] ?? null;
  } catch (error) {
    if (codeOf(error) === LINK_REFUSED) return null;
    throw error;
  }
}

/** Sets the password a reset link was sent for, ending every session of the user; null for a link that does not work. */
export async function resetPassword(tokenHash: string, passwordHash: string): Promise<{ email: string } | null> {
  try {
    const { rows } = await authPool().query<{ email: string }>('SELECT email FROM public.reset_password($1, $2)', [tokenHash, passwordHash]);
    return rows[0] ?? null;
  } catch (error) {
    if (codeOf(error) === LINK_REFUSED) return null;
    throw error;
  }
}

export async function emailVerified(userId: string): Promise<boolean> {
  const { rows } = await authPool().query<{ verified: boolean | null }>('SELECT public.email_verified($1) AS verified', [userId]);
  return rows[0]?.verified === true;
}
