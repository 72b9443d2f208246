'use client';

import { FormMessage } from '@/components/form-message';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { useOrgAction } from '@/components/use-org-action';
import { useFormAction } from '@repo/ui/use-form-action';

import { approveSupportAction } from './actions';

/** Approves an operator's request for up to an hour (the database refuses more). */
export function ApproveForm({ id, operator }: { id: string; operator: string }) {
  const [state, action] = useFormAction(useOrgAction(approveSupportAction));
  return (
    <form action={action} className="inline-form" style={{ display: 'flex', gap: '0.375rem', alignItems: 'center' }}>
      <input type="hidden" name="id" value={id} />
      <Select className="select select-sm" name="minutes" defaultValue="30" aria-label={`Access length for ${operator}`}>
        <option value="15">15 minutes</option>
        <option value="30">30 minutes</option>
        <option value="60">1 hour</option>
      </Select>
      <SubmitButton size="sm" variant="default" pendingLabel="Approving…" aria-label={`Approve support access for ${operator}`}>
        Approve
      </SubmitButton>
      {state.status !== 'idle' && <FormMessage state={state} />}
    </form>
  );
}
