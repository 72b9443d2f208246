'use client';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { ROLE_LABEL } from '@/components/badges';
import { FieldError, FormMessage } from '@/components/form-message';
import { Select } from '@/components/select';
import { SubmitButton } from '@/components/submit-button';
import { useOrgAction } from '@/components/use-org-action';

import { inviteAction, revokeInvitationAction } from './invitation-actions';

export function InviteForm() {
  const [state, action] = useFormAction(useOrgAction(inviteAction));
  const error = fieldError(state, 'email');
  return (
    <form className="form" action={action} noValidate aria-label="Invite someone" key={state.status === 'ok' ? state.at : 'form'}>
      <FormMessage state={state} />
      <div style={{ display: 'flex', gap: '0.5rem', alignItems: 'end', flexWrap: 'wrap' }}>
        <div className="field" style={{ flex: '1 1 16rem' }}>
          <label className="label" htmlFor="invite-email">
            Email
          </label>
          <input className="input" id="invite-email" name="email" type="email" aria-invalid={error ? true : undefined} />
          <FieldError id="invite-email-error" message={error} />
        </div>
        <div className="field">
          <label className="label" htmlFor="invite-role">
            Role
          </label>
          <Select className="select" id="invite-role" name="role" defaultValue="member">
            {Object.entries(ROLE_LABEL)
              .filter(([value]) => value !== 'owner')
              .map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
          </Select>
        </div>
        <SubmitButton pendingLabel="Inviting…">Invite</SubmitButton>
      </div>
    </form>
  );
}

export function RevokeInvitationForm({ invitationId, email }: { invitationId: string; email: string }) {
  const [state, action] = useFormAction(useOrgAction(revokeInvitationAction));
  return (
    <form action={action} style={{ display: 'grid', justifyItems: 'end' }}>
      <input type="hidden" name="invitationId" value={invitationId} />
      <SubmitButton size="sm" variant="default" pendingLabel="Revoking…" aria-label={`Revoke the invitation of ${email}`}>
        Revoke
      </SubmitButton>
      {state.status === 'error' && (
        <p className="field-error" role="alert">
          {state.message}
        </p>
      )}
    </form>
  );
}
