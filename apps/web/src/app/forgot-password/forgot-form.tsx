'use client';

import { fieldError, submitted } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { forgotPasswordAction } from './actions';

export function ForgotForm() {
  const [state, action] = useFormAction(forgotPasswordAction);
  if (state.status === 'ok') return <FormMessage state={state} />;
  const error = fieldError(state, 'email');
  return (
    <form className="form" style={{ marginTop: '1.5rem' }} action={action} noValidate>
      <FormMessage state={state} />
      <div className="field">
        <label className="label" htmlFor="email">
          Email
        </label>
        <input
          className="input"
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          defaultValue={submitted(state, 'email')}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'email-error' : undefined}
        />
        <FieldError id="email-error" message={error} />
      </div>
      <SubmitButton pendingLabel="Sending…">Send me a link</SubmitButton>
    </form>
  );
}
