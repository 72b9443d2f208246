'use client';

import { signInFailureMessage, signInWithCredentials } from '@repo/auth/sign-in-client';
import { useState, type FormEvent } from 'react';

import { useHydrated } from '@/lib/use-hydrated';

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const ready = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    // Navigate here, not by next-auth's redirect: its URL is built from NEXTAUTH_URL, which may be unset or point
    // elsewhere in development. callbackUrl was checked by the page (safeRedirectPath).
    const result = await signInWithCredentials({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
    if (result.ok) {
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError(signInFailureMessage(result, 'Wrong email or password, or not an operator account.'));
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
