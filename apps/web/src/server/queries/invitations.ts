import 'server-only';

import type { TenantTx } from '../tenant-data';

// Invitations live in the control plane: these run inside withTenantControlPlane, and the SECURITY DEFINER functions
// (control-plane migration 0013_invitations) accept only an admin of the verified context's tenant.

export interface PendingInvitation {
  id: string;
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export async function listInvitations(tx: TenantTx): Promise<PendingInvitation[]> {
  const { rows } = await tx.query<PendingInvitation>(
    'SELECT id, email, role, created_at AS "createdAt", expires_at AS "expiresAt" FROM public.tenant_invitations()',
  );
  return rows;
}

/** A new invitation (replacing a pending one of the same address); TA030 when the address is already a member. */
export async function createInvitation(tx: TenantTx, email: string, role: string): Promise<string> {
  const { rows } = await tx.query<{ id: string }>('SELECT public.create_invitation($1, $2) AS id', [email, role]);
  return rows[0]!.id;
}

/** TA032 when it is not a pending invitation of this organisation. */
export async function revokeInvitation(tx: TenantTx, id: string): Promise<void> {
  await tx.query('SELECT public.revoke_invitation($1)', [id]);
}
