import { safeRedirectPath } from '@repo/auth/redirect';
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { SIGN_IN_PATH } from '@/server/auth/config';
import { getSession } from '@/server/session';

import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // Only a path of this app (anything else: the home page), and never this page: a signed-in visit would loop.
  const callbackUrl = safeRedirectPath(params.callbackUrl, { exclude: [SIGN_IN_PATH] });
  if (await getSession()) redirect(callbackUrl);
  return (
    <main className="shell">
      <section className="card" aria-labelledby="sign-in-title">
        <div className="card-centered">
          <span className="mark" aria-hidden="true">
            T
          </span>
          <h1 id="sign-in-title">Tenancy Starter</h1>
          <p className="lead">Sign in to your workspace</p>
        </div>
        <SignInForm callbackUrl={callbackUrl} />
        <p className="note">
          New here? <Link href="/sign-up">Create an organisation</Link> · <Link href="/forgot-password">Forgot your password?</Link>
        </p>
        <p className="note">Signed up recently? Follow the link in your confirmation mail first. Each workspace keeps its data apart from every other one.</p>
      </section>
    </main>
  );
}
