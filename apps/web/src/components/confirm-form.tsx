'use client';

import type { ReactNode } from 'react';

import { FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';
import type { ActionState } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

/** A one-button form (delete...) that asks for confirmation first and shows the action's refusal, if any. */
export function ConfirmForm({
  action,
  fields,
  confirm,
  children,
  pendingLabel,
  size,
  label,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  fields: Record<string, string>;
  confirm: string;
  children: ReactNode;
  pendingLabel?: string;
  size?: 'sm';
  /** The button's accessible name, when its text alone does not say what it acts on ("Remove" in a table row). */
  label?: string;
}) {
  const [state, formAction] = useFormAction(action);
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
      <SubmitButton variant="danger" size={size} pendingLabel={pendingLabel} aria-label={label}>
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
