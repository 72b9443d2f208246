import 'server-only';

import type { MembershipRole } from '../auth/types';
import type { TenantTx } from '../tenant-data';

// Members live in the control plane (the deployment's database), whatever the tenant's strategy: these run
// inside withTenantControlPlane, and the SECURITY DEFINER functions scope themselves by the verified context and
// re-check the caller's own membership row (control-plane migration 0008). They refuse with SQLSTATEs that
// server/errors.ts turns into messages: 42501 not an owner or admin, TA002 only an owner may change, remove or make an
// owner, P0002 no such member, 22023 no such role, TA001 the workspace's last owner.

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: MembershipRole;
}

export async function listMembers(tx: TenantTx): Promise<Member[]> {
  const { rows } = await tx.query<Member>('SELECT user_id AS "userId", email, name, role FROM public.tenant_members()');
  return rows;
}

/** Changes a member's role; returns the role they had. */
export async function setMemberRole(tx: TenantTx, userId: string, role: MembershipRole): Promise<MembershipRole> {
  const { rows } = await tx.query<{ previous: MembershipRole }>('SELECT public.set_member_role($1, $2) AS previous', [userId, role]);
  return rows[0]!.previous;
}

/** Removes a member from the workspace (their sessions end); returns the role they had. */
export async function removeMember(tx: TenantTx, userId: string): Promise<MembershipRole> {
  const { rows } = await tx.query<{ previous: MembershipRole }>('SELECT public.remove_member($1) AS previous', [userId]);
  return rows[0]!.previous;
}

/** The caller leaves the workspace (their sessions end). */
export async function leaveWorkspace(tx: TenantTx): Promise<void> {
  await tx.query('SELECT public.leave_organisation()');
}
