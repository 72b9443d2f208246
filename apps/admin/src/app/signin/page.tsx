import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { SignInForm } from '@/components/sign-in-form';
import { getOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Sign in · Tenancy Operator Console' };

/** Only a path of this app: an absolute or protocol-relative callbackUrl would be an open redirect. */
function safeCallback(value: string | string[] | undefined): string {
  const path = Array.isArray(value) ? value[0] : value;
  return path && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/tenants';
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const callbackUrl = safeCallback((await searchParams).callbackUrl);
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
