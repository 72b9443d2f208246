'use client';

import { useFormAction } from '@repo/ui/use-form-action';
import Link from 'next/link';

import { FormMessage } from '@/components/form-message';
import { SubmitButton } from '@/components/submit-button';

import { confirmEmailAction } from './actions';

// A button, not the link alone: mail scanners that open every link must not use up the token.
export function ConfirmForm({ token }: { token: string }) {
  const [state, action] = useFormAction(confirmEmailAction);
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
  return (
    <form className="form" style={{ marginTop: '1.5rem' }} action={action}>
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingLabel="Confirming…">Confirm my email address</SubmitButton>
    </form>
  );
}
