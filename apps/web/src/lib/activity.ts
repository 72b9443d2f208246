import type { MembershipRole } from '@/server/auth/types';

/** Who may read the activity log and answer support requests: mirrors the policies (packages/db: activity_log_read). */
export function canSeeActivity(role: MembershipRole | string): boolean {
  return role === 'owner' || role === 'admin';
}
