'use client';

import { fieldError, submitted } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { signUpAction } from './actions';

const FIELDS = [
  { name: 'name', label: 'Your name', type: 'text', autoComplete: 'name' },
  { name: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
  { name: 'password', label: 'Password (at least 12 characters)', type: 'password', autoComplete: 'new-password' },
  { name: 'organisation', label: 'Organisation name', type: 'text', autoComplete: 'organization' },
] as const;

export function SignUpForm() {
  const [state, action] = useFormAction(signUpAction);
  if (state.status === 'ok') return <FormMessage state={state} />;
  return (
    <form className="form" style={{ marginTop: '1.5rem' }} action={action} noValidate>
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
              type={field.type}
              autoComplete={field.autoComplete}
              defaultValue={field.type === 'password' ? undefined : submitted(state, field.name)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${field.name}-error` : undefined}
            />
            <FieldError id={`${field.name}-error`} message={error} />
          </div>
        );
      })}
      <SubmitButton pendingLabel="Creating your account…">Create account</SubmitButton>
    </form>
  );
}
