'use client';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';
import Link from 'next/link';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { resetPasswordAction } from './actions';

export function ResetForm({ token }: { token: string }) {
  const [state, action] = useFormAction(resetPasswordAction);
  if (state.status === 'ok') {
    return (
      <>
        <FormMessage state={state} />
        <Link className="btn btn-primary btn-block" href="/sign-in">
          Sign in
        </Link>
      </>
    );
  }
  const error = fieldError(state, 'password');
  return (
    <form className="form" style={{ marginTop: '1.5rem' }} action={action} noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <div className="field">
        <label className="label" htmlFor="password">
          New password (at least 12 characters)
        </label>
        <input
          className="input"
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'password-error' : undefined}
        />
        <FieldError id="password-error" message={error} />
      </div>
      <SubmitButton pendingLabel="Saving…">Set the new password</SubmitButton>
    </form>
  );
}
