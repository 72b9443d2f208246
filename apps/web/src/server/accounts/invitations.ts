import 'server-only';

import { authPool } from '@/server/auth/accounts';

// The invitation link's side, as app_auth (control-plane migration 0013_invitations): the worker issues the token (its
// sha256 only is stored), the link's page shows the invitation, its holder accepts or signs up through it. Creating,
// listing and revoking belong to the organisation's admins, in their tenant context (the members page).

const LINK_REFUSED = 'TA020';
const OTHER_ADDRESS = 'TA031';
const HAS_ACCOUNT = 'TA010';

const codeOf = (error: unknown) => (error as { code?: string }).code;

export interface InvitationMail {
  email: string;
  role: string;
  organisation: string;
  inviter: string;
}

/** Stores the link's token for a pending invitation of `tenantId`; what to mail, or null when it is no longer pending. */
export async function issueInvitationToken(tenantId: string, invitationId: string, tokenHash: string, ttlSeconds: number): Promise<InvitationMail | null> {
  const { rows } = await authPool().query<InvitationMail>('SELECT email, role, organisation, inviter FROM public.issue_invitation_token($1, $2, $3, $4)', [
    tenantId,
    invitationId,
    tokenHash,
    ttlSeconds,
  ]);
  return rows[0] ?? null;
}

/** The invitation a working link stands for; null for one that is unknown, used, revoked or expired. */
export async function invitationByToken(tokenHash: string): Promise<{ email: string; role: string; organisation: string } | null> {
  const { rows } = await authPool().query<{ email: string; role: string; organisation: string }>(
    'SELECT email, role, organisation FROM public.invitation_by_token($1)',
    [tokenHash],
  );
  return rows[0] ?? null;
}

export type Acceptance = { tenantSlug: string } | 'link-refused' | 'other-address';

/** The signed-in user joins, when the invitation is for their address. */
export async function acceptInvitation(tokenHash: string, userId: string): Promise<Acceptance> {
  try {
    const { rows } = await authPool().query<{ tenant_slug: string }>('SELECT tenant_slug FROM public.accept_invitation($1, $2)', [tokenHash, userId]);
    return { tenantSlug: rows[0]!.tenant_slug };
  } catch (error) {
    if (codeOf(error) === LINK_REFUSED) return 'link-refused';
    if (codeOf(error) === OTHER_ADDRESS) return 'other-address';
    throw error;
  }
}

/** An account for the invited address, already a member; `has-account` when the address has one (sign in instead). */
export async function signUpInvited(tokenHash: string, name: string, passwordHash: string): Promise<{ email: string } | 'link-refused' | 'has-account'> {
  try {
    const { rows } = await authPool().query<{ email: string }>('SELECT email FROM public.sign_up_invited($1, $2, $3)', [tokenHash, name, passwordHash]);
    return { email: rows[0]!.email };
  } catch (error) {
    if (codeOf(error) === LINK_REFUSED) return 'link-refused';
    if (codeOf(error) === HAS_ACCOUNT) return 'has-account';
    throw error;
  }
}
