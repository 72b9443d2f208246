import type { MembershipRole } from '@/server/auth/types';

// What the UI offers, mirroring what the database enforces. Only for showing or hiding controls: the policies and the
// member functions are what actually refuse, so a forged request gets the same answer as a hidden button.

/**
 * Tenant rows (the policies of packages/db/src/schema/tenant.ts): owners and admins change anything, members the rows
 * they created, viewers nothing.
 */
export function canChange(actor: { userId: string; role: MembershipRole }, createdBy: string | null): boolean {
  return actor.role === 'owner' || actor.role === 'admin' || (actor.role === 'member' && createdBy === actor.userId);
}

// Memberships (public.set_member_role, public.remove_member, public.leave_organisation; control-plane migration 0008).

/** Whether `role` may change roles or remove members at all. */
export function canManageMembers(role: MembershipRole): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * The roles `actor` may give a member who holds `target` now, the current one included (an empty list: the role is
 * not theirs to change). Owners give any role; admins give admin, member or viewer to anyone but an owner. Whether
 * the member is the last owner is the database's to say: it refuses that demotion with its own message.
 */
export function assignableRoles(actor: MembershipRole, target: MembershipRole): MembershipRole[] {
  if (actor === 'owner') return ['owner', 'admin', 'member', 'viewer'];
  if (actor === 'admin' && target !== 'owner') return ['admin', 'member', 'viewer'];
  return [];
}

/** Whether `actor` may remove a member who holds `target`: owners anyone (but the last owner), admins anyone but owners. */
export function canRemoveMember(actor: MembershipRole, target: MembershipRole): boolean {
  return actor === 'owner' || (actor === 'admin' && target !== 'owner');
}

/** Whether the member may leave: anyone, except the last owner. */
export function canLeave(role: MembershipRole, owners: number): boolean {
  return role !== 'owner' || owners > 1;
}
