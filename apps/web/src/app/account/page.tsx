import type { Metadata } from 'next';
import Link from 'next/link';

import { requireSession } from '@/server/session';

import { ChangePasswordForm } from './change-password-form';

export const metadata: Metadata = { title: 'Your account' };

export default async function AccountPage() {
  const session = await requireSession();
  return (
    <main className="shell">
      <section className="card" aria-labelledby="account-title">
        <h1 id="account-title">Your account</h1>
        <p className="lead">
          {session.user.name} · {session.user.email}
        </p>
        <h2 style={{ fontSize: '1rem' }}>Change your password</h2>
        <p className="muted">Every other session of yours ends; this one stays.</p>
        <ChangePasswordForm />
        <p className="note">
          <Link href="/">Back to your organisation</Link>
        </p>
      </section>
    </main>
  );
}
