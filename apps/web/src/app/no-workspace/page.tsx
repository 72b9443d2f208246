import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { SignOutButton } from '@/components/sign-out-button';
import { homePath, requireSession } from '@/server/session';

export const metadata: Metadata = { title: 'No workspace' };

export default async function NoWorkspacePage() {
  const session = await requireSession();
  if (session.memberships.length > 0) redirect(homePath(session));
  return (
    <main className="shell">
      <section className="card card-centered">
        <span className="mark" aria-hidden="true">
          T
        </span>
        <h1>No workspace yet</h1>
        <p className="lead">{session.user.email} is not a member of any workspace. Ask an admin of your organisation to invite you.</p>
        <div style={{ marginTop: '1.5rem' }}>
          <SignOutButton />
        </div>
      </section>
    </main>
  );
}
