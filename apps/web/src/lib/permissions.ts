import type { MembershipRole } from '@/server/auth/types';

/**
 * What the UI offers, mirroring the database policies (packages/db/src/schema/tenant.ts): admins change
 * anything, members the rows they created, viewers nothing. Only for showing or hiding controls: the policies
 * are what actually refuse.
 */
export function canChange(actor: { userId: string; role: MembershipRole }, createdBy: string | null): boolean {
  return actor.role === 'admin' || (actor.role === 'member' && createdBy === actor.userId);
}
