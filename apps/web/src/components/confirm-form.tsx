'use client';

import type { ReactNode } from 'react';

import { FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';
import { useFormAction } from '@repo/ui/use-form-action';

import { useOrgAction, type OrgAction } from './use-org-action';

/** A one-button form (delete...) of an organisation's page that asks for confirmation first and shows the action's refusal, if any. */
export function ConfirmForm({
  action,
  fields,
  confirm,
  children,
  pendingLabel,
  size,
}: {
  /** An action of this page's organisation (its slug is bound here). */
  action: OrgAction;
  fields: Record<string, string>;
  confirm: string;
  children: ReactNode;
  pendingLabel?: string;
  size?: 'sm';
}) {
  const [state, formAction] = useFormAction(useOrgAction(action));
  return (
    <form
      action={formAction}
      className="inline-form"
      onSubmit={(event) => {
        if (!window.confirm(confirm)) event.preventDefault();
      }}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton variant="danger" size={size} pendingLabel={pendingLabel}>
        {children}
      </SubmitButton>
      {state.status === 'error' && (
        <div style={{ marginTop: '0.5rem' }}>
          <FormMessage state={state} />
        </div>
      )}
    </form>
  );
}
