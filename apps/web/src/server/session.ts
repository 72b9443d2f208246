import 'server-only';

import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';

import { loadMemberships, type Membership } from './auth/accounts';
import { authOptions, SIGN_IN_PATH } from './auth/options';
import type { MembershipRole } from './auth/types';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** A signed-in user and their tenants, as read from the session cookie and re-checked against memberships. */
export interface AppSession {
  user: SessionUser;
  /** The server-side session behind the cookie (public.user_sessions): the one a password change keeps. */
  sessionId: string;
  memberships: Membership[];
  /** The active tenant: the one in the session if the user still belongs to it, else their first; null if none. */
  active: Membership | null;
}

/** A session with an active tenant: what every tenant-scoped request runs as. */
export interface TenantSession extends AppSession {
  active: Membership;
  tenantId: string;
  role: MembershipRole;
}

interface SessionShape {
  user?: { id?: string; email?: string | null; name?: string | null };
  claims?: { tenantId?: unknown; sid?: unknown };
}

/**
 * The one session getter: once per request (React cache), from the JWT cookie, whose session is checked in the
 * database (ended, idle or expired: no session). The tenant and role come from the user's memberships (re-read every
 * few seconds), not from the cookie alone, so a changed role stops acting with the old rights without signing out.
 */
export const getSession = cache(async (): Promise<AppSession | null> => {
  // Per request, never at build time: a page that reads the session is never prerendered.
  await connection();
  const session = (await getServerSession(authOptions())) as SessionShape | null;
  const id = session?.user?.id;
  const sessionId = session?.claims?.sid;
  // next-auth answers no session when the server-side one has ended (the jwt callback checks it on every request).
  if (!id || typeof sessionId !== 'string') return null;
  const memberships = await loadMemberships(id, { sessionId });
  const wanted = typeof session.claims?.tenantId === 'string' ? session.claims.tenantId : undefined;
  const active = memberships.find((m) => m.tenantId === wanted) ?? memberships[0] ?? null;
  return {
    user: { id, email: session.user?.email ?? '', name: session.user?.name ?? session.user?.email ?? '' },
    sessionId,
    memberships,
    active,
  };
});

/** The session, or a redirect to sign-in. */
export async function requireSession(): Promise<AppSession> {
  const session = await getSession();
  if (!session) redirect(SIGN_IN_PATH);
  return session;
}

/** The session with its active tenant, or a redirect: to sign-in, or to the page that says the user has no tenant. */
export async function requireTenantSession(): Promise<TenantSession> {
  const session = await requireSession();
  if (!session.active) redirect('/no-workspace');
  return { ...session, active: session.active, tenantId: session.active.tenantId, role: session.active.role };
}
