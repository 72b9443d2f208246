'use client';

import { useState, type FormEvent } from 'react';

import { signInWithCredentials, type SignInOutcome } from '@/lib/sign-in';
import { useHydrated } from '@/lib/use-hydrated';

const SIGN_IN_ERRORS: Record<Exclude<SignInOutcome, 'signed-in'>, string> = {
  refused: 'Wrong email or password, or not an operator account.',
  unreachable: 'Could not reach the server. Check your connection and try again.',
  failed: 'The sign-in request failed: try again.',
};

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const ready = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    // redirect: false, then navigate here: next-auth's own redirect URL is built from NEXTAUTH_URL, which
    // may be unset or point elsewhere in development.
    const outcome = await signInWithCredentials({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
    if (outcome === 'signed-in') {
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError(SIGN_IN_ERRORS[outcome]);
  }

  return (
    // method="post": a submit before hydration must never put the password into the URL.
    <form className="form" method="post" onSubmit={onSubmit} noValidate data-ready={ready || undefined}>
      <label className="field">
        <span>Email</span>
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <button className="button button-primary" type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
