import type { Metadata } from 'next';

import { ConfirmForm } from './confirm-form';

export const metadata: Metadata = { title: 'Confirm your email' };

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  return (
    <main className="shell">
      <section className="card" aria-labelledby="verify-title">
        <div className="card-centered">
          <h1 id="verify-title">Confirm your email</h1>
        </div>
        {typeof token === 'string' ? <ConfirmForm token={token} /> : <p className="alert">This page needs the link from your confirmation mail.</p>}
      </section>
    </main>
  );
}
