import { safeRedirectPath } from '@repo/auth/redirect';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { SignInForm } from '@/components/sign-in-form';
import { SIGN_IN_PATH } from '@/server/auth/config';
import { getOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Sign in · Tenancy Operator Console' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Only a path of this app (anything else: the home page), and never this page: a signed-in visit would loop.
  const callbackUrl = safeRedirectPath((await searchParams).callbackUrl, { exclude: [SIGN_IN_PATH] });
  if (await getOperator()) redirect(callbackUrl);
  return (
    <>
      <header className="topbar">
        <span className="brand">Tenancy</span>
        <span className="badge">Operator</span>
      </header>
      <main className="signin">
        <div className="panel signin-panel">
          <h1>Tenancy Operator Console</h1>
          <p className="muted">Sign in with an operator account. Tenant accounts of the web app do not work here.</p>
          <SignInForm callbackUrl={callbackUrl} />
        </div>
      </main>
    </>
  );
}
