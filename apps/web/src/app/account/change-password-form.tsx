'use client';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { changePasswordAction } from './actions';

const FIELDS = [
  { name: 'currentPassword', label: 'Current password', autoComplete: 'current-password' },
  { name: 'newPassword', label: 'New password (at least 12 characters)', autoComplete: 'new-password' },
] as const;

export function ChangePasswordForm() {
  const [state, action] = useFormAction(changePasswordAction);
  return (
    <form className="form" action={action} noValidate aria-label="Change your password">
      <FormMessage state={state} />
      {FIELDS.map((field) => {
        const error = fieldError(state, field.name);
        return (
          <div className="field" key={field.name}>
            <label className="label" htmlFor={field.name}>
              {field.label}
            </label>
            <input
              className="input"
              id={field.name}
              name={field.name}
              type="password"
              autoComplete={field.autoComplete}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${field.name}-error` : undefined}
            />
            <FieldError id={`${field.name}-error`} message={error} />
          </div>
        );
      })}
      <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
    </form>
  );
}
