import type { Metadata } from 'next';
import Link from 'next/link';

import { ForgotForm } from './forgot-form';

export const metadata: Metadata = { title: 'Forgot your password' };

export default function ForgotPasswordPage() {
  return (
    <main className="shell">
      <section className="card" aria-labelledby="forgot-title">
        <div className="card-centered">
          <h1 id="forgot-title">Forgot your password?</h1>
          <p className="lead">We mail you a link to set a new one.</p>
        </div>
        <ForgotForm />
        <p className="note">
          <Link href="/sign-in">Back to sign in</Link>
        </p>
      </section>
    </main>
  );
}
