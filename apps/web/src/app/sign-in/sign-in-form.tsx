'use client';

import { credentialsSchema } from '@repo/auth/credentials';
import { signInFailureMessage, signInWithCredentials } from '@repo/auth/sign-in-client';
import { useRouter } from 'next/navigation';
import { useState, useTransition, type FormEvent } from 'react';
import { z } from 'zod';

type Errors = { email?: string; password?: string; form?: string };

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Errors>({});
  const [pending, startTransition] = useTransition();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = credentialsSchema.safeParse({ email: form.get('email'), password: form.get('password') });
    if (!parsed.success) {
      const fields = z.flattenError(parsed.error).fieldErrors;
      setErrors({ email: fields.email?.[0], password: fields.password?.[0] });
      return;
    }
    setErrors({});
    startTransition(async () => {
      const result = await signInWithCredentials(parsed.data);
      if (!result.ok) {
        setErrors({ form: signInFailureMessage(result, 'Email or password is incorrect.') });
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    });
  };

  return (
    <form className="form" style={{ marginTop: '1.5rem' }} onSubmit={submit} noValidate aria-describedby={errors.form ? 'sign-in-error' : undefined}>
      {errors.form && (
        <p className="alert" role="alert" id="sign-in-error">
          {errors.form}
        </p>
      )}
      <div className="field">
        <label className="label" htmlFor="email">
          Email
        </label>
        <input
          className="input"
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          autoFocus
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? 'email-error' : undefined}
        />
        {errors.email && (
          <p className="field-error" id="email-error">
            {errors.email}
          </p>
        )}
      </div>
      <div className="field">
        <label className="label" htmlFor="password">
          Password
        </label>
        <input
          className="input"
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? 'password-error' : undefined}
        />
        {errors.password && (
          <p className="field-error" id="password-error">
            {errors.password}
          </p>
        )}
      </div>
      <button type="submit" className="btn btn-primary btn-block" disabled={pending} aria-busy={pending}>
        {pending && <span className="spinner" aria-hidden="true" />}
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
