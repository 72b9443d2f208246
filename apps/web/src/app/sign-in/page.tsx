import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { getSession } from '@/server/session';

import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

/** Only same-site paths: an absolute callbackUrl would make this page an open redirect. */
function safeCallback(value: string | string[] | undefined): string {
  const path = typeof value === 'string' ? value : '';
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/sign-in') ? path : '/projects';
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
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
        <p className="note">Each workspace keeps its data apart from every other one.</p>
      </section>
    </main>
  );
}
