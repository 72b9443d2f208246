import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { getSession } from '@/server/session';

import { SignUpForm } from './sign-up-form';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage() {
  if (await getSession()) redirect('/');
  return (
    <main className="shell">
      <section className="card" aria-labelledby="sign-up-title">
        <div className="card-centered">
          <span className="mark" aria-hidden="true">
            T
          </span>
          <h1 id="sign-up-title">Create your organisation</h1>
          <p className="lead">You become its owner; invite your colleagues once you are in.</p>
        </div>
        <SignUpForm />
        <p className="note">
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </p>
      </section>
    </main>
  );
}
