'use client';

import { fieldError } from '@repo/ui';
import { useFormAction } from '@repo/ui/use-form-action';
import Link from 'next/link';

import { FieldError, FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { acceptInvitationAction, signUpInvitedAction } from './actions';

export function AcceptForm({ token }: { token: string }) {
  const [state, action] = useFormAction(acceptInvitationAction);
  return (
    <form className="form" action={action}>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingLabel="Joining…">Accept the invitation</SubmitButton>
    </form>
  );
}

export function InvitedSignUpForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useFormAction(signUpInvitedAction);
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
  const nameError = fieldError(state, 'name');
  const passwordError = fieldError(state, 'password');
  return (
    <form className="form" action={action} noValidate aria-label="Create your account">
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <p className="muted">Email: {email} (the invited address)</p>
      <div className="field">
        <label className="label" htmlFor="name">
          Your name
        </label>
        <input className="input" id="name" name="name" autoComplete="name" aria-invalid={nameError ? true : undefined} />
        <FieldError id="name-error" message={nameError} />
      </div>
      <div className="field">
        <label className="label" htmlFor="password">
          Password (at least 12 characters)
        </label>
        <input className="input" id="password" name="password" type="password" autoComplete="new-password" aria-invalid={passwordError ? true : undefined} />
        <FieldError id="password-error" message={passwordError} />
      </div>
      <SubmitButton pendingLabel="Creating your account…">Create my account</SubmitButton>
    </form>
  );
}
