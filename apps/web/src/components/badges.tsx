import type { MembershipRole } from '@/server/auth/types';

const ROLE_LABEL: Record<MembershipRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member', viewer: 'Viewer' };
const STATUS_LABEL = { todo: 'To do', doing: 'In progress', done: 'Done' } as const;

export function RoleBadge({ role }: { role: MembershipRole }) {
  return <span className={`badge badge-${role}`}>{ROLE_LABEL[role]}</span>;
}

export function StatusBadge({ status }: { status: keyof typeof STATUS_LABEL }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABEL[status]}</span>;
}

export { ROLE_LABEL, STATUS_LABEL };
