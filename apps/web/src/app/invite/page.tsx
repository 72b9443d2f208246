import type { Metadata } from 'next';
import Link from 'next/link';

import { invitationByToken } from '@/server/accounts/invitations';
import { tokenHash } from '@/server/accounts/token-hash';
import { getSession } from '@/server/session';

import { AcceptForm, InvitedSignUpForm } from './invite-forms';

export const metadata: Metadata = { title: 'Invitation' };

export default async function InvitePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const invitation = typeof token === 'string' && token.length <= 200 ? await invitationByToken(tokenHash(token)) : null;
  const session = await getSession();
  return (
    <main className="shell">
      <section className="card" aria-labelledby="invite-title">
        <h1 id="invite-title">{invitation ? `Join ${invitation.organisation}` : 'Invitation'}</h1>
        {!invitation || typeof token !== 'string' ? (
          <p className="alert">This invitation is invalid, already used, revoked or expired. Ask for a new one.</p>
        ) : (
          <>
            <p className="lead">
              For {invitation.email}, as {invitation.role}.
            </p>
            {session ? (
              <>
                <p className="muted">Signed in as {session.user.email}.</p>
                <AcceptForm token={token} />
              </>
            ) : (
              <>
                <p>
                  Have an account with {invitation.email}?{' '}
                  <Link href={`/sign-in?callbackUrl=${encodeURIComponent(`/invite?token=${token}`)}`}>Sign in to accept</Link>.
                </p>
                <h2 style={{ fontSize: '1rem' }}>New here? Create your account</h2>
                <InvitedSignUpForm token={token} email={invitation.email} />
              </>
            )}
          </>
        )}
      </section>
    </main>
  );
}
