import type { Metadata } from 'next';
import Link from 'next/link';

import { ResetForm } from './reset-form';

export const metadata: Metadata = { title: 'Set a new password' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  return (
    <main className="shell">
      <section className="card" aria-labelledby="reset-title">
        <div className="card-centered">
          <h1 id="reset-title">Set a new password</h1>
        </div>
        {typeof token === 'string' ? (
          <ResetForm token={token} />
        ) : (
          <p className="alert">
            This page needs the link from your reset mail. <Link href="/forgot-password">Ask for one</Link>.
          </p>
        )}
      </section>
    </main>
  );
}
