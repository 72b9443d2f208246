import 'server-only';

import type { MembershipRole } from '../auth/types';
import type { TenantTx } from '../tenant-data';

// Members live in the control plane (the deployment's database), whatever the tenant's strategy: these run
// inside withTenantControlPlane, and the SECURITY DEFINER functions scope themselves by the verified context.

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

/** Changes a member's role; the function refuses non-admins (42501), strangers (P0002) and the last admin (TA001). */
export async function setMemberRole(tx: TenantTx, userId: string, role: MembershipRole): Promise<MembershipRole> {
  const { rows } = await tx.query<{ previous: MembershipRole }>('SELECT public.set_member_role($1, $2) AS previous', [userId, role]);
  return rows[0]!.previous;
}
