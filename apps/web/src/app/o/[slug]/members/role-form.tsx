'use client';

import { ROLE_LABEL } from '@/components/badges';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';
import type { MembershipRole } from '@/server/auth/types';

import { changeRoleAction } from './actions';

export function RoleForm({ userId, name, role }: { userId: string; name: string; role: MembershipRole }) {
  const [state, action] = useFormAction(useOrgAction(changeRoleAction));
  return (
    <form action={action} style={{ display: 'grid', gap: '0.25rem', justifyItems: 'end' }}>
      <input type="hidden" name="userId" value={userId} />
      <div style={{ display: 'flex', gap: '0.375rem' }}>
        <Select className="select select-sm" name="role" defaultValue={role} aria-label={`Role of ${name}`}>
          {Object.entries(ROLE_LABEL).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
        <SubmitButton size="sm" variant="default" pendingLabel="Saving…" aria-label={`Save role of ${name}`}>
          Save
        </SubmitButton>
      </div>
      {state.status === 'error' && (
        <p className="field-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && state.message && (
        <p className="muted" role="status" style={{ margin: 0, fontSize: '0.8125rem' }}>
          {state.message}
        </p>
      )}
    </form>
  );
}
