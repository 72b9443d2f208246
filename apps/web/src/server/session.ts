import 'server-only';

import { getServerSession } from 'next-auth';
import { notFound, redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';

import { orgPath } from '@/lib/org-path';

import { loadMemberships, type Membership } from './auth/accounts';
import { authOptions, SIGN_IN_PATH } from './auth/options';
import type { MembershipRole } from './auth/types';

// Who is asking, and in which organisation. The organisation is the URL's (/o/<slug>/..., /api/o/<slug>/...): every
// page, layout, route handler and server action passes its slug here, and it counts only when the user's memberships
// (re-read as below) name it. Any other slug, another organisation's or one that does not exist, is the same
// not-found: the answer never says whether an organisation exists.
//
//   getSession()               the signed-in user and their memberships, or null
//   requireSession()           the same, or a redirect to sign-in
//   getOrgSession(slug)        the session in organisation `slug`, or null (signed out, or not a member)
//   requireOrgSession(slug)    the same, or a redirect to sign-in, or notFound() (pages, layouts)
//   homePath(session)          where a signed-in user starts: their first organisation's projects, or /no-workspace

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** A signed-in user and their organisations, as read from the session cookie and re-checked against memberships. */
export interface AppSession {
  user: SessionUser;
  /** The server-side session behind the cookie (public.user_sessions): the one a password change keeps. */
  sessionId: string;
  /** Ordered by organisation name; the first is where the user lands after sign-in. */
  memberships: Membership[];
}

/** A session in one organisation (the URL's, checked against the memberships): what every tenant request runs as. */
export interface TenantSession extends AppSession {
  active: Membership;
  tenantId: string;
  /** The organisation's slug, as in its URLs. */
  slug: string;
  role: MembershipRole;
}

interface SessionShape {
  user?: { id?: string; email?: string | null; name?: string | null };
  claims?: { sid?: unknown };
}

/**
 * The one session getter: once per request (React cache), from the JWT cookie, whose session is checked in the
 * database (ended, idle or expired: no session). The memberships and roles are re-read every few seconds
 * (loadMemberships), not taken from the cookie, so a changed role stops acting with the old rights without signing out.
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
  return {
    user: { id, email: session.user?.email ?? '', name: session.user?.name ?? session.user?.email ?? '' },
    sessionId,
    memberships,
  };
});

/** The session, or a redirect to sign-in. */
export async function requireSession(): Promise<AppSession> {
  const session = await getSession();
  if (!session) redirect(SIGN_IN_PATH);
  return session;
}

/** `session` in organisation `slug` if one of its memberships names it; null otherwise. */
function inOrg(session: AppSession, slug: unknown): TenantSession | null {
  if (typeof slug !== 'string') return null;
  const active = session.memberships.find((m) => m.tenantSlug === slug);
  if (!active) return null;
  return { ...session, active, tenantId: active.tenantId, slug: active.tenantSlug, role: active.role };
}

/** The session in organisation `slug`, or null when signed out or not a member (route handlers answer 401 / 404). */
export async function getOrgSession(slug: unknown): Promise<TenantSession | null> {
  const session = await getSession();
  return session ? inOrg(session, slug) : null;
}

/**
 * The session in organisation `slug`, or a redirect to sign-in, or notFound(): another organisation's slug and one
 * that does not exist get the same 404 page (never 403).
 */
export async function requireOrgSession(slug: unknown): Promise<TenantSession> {
  const session = inOrg(await requireSession(), slug);
  if (!session) notFound();
  return session;
}

/** Where a signed-in user starts: the projects of their first organisation (by name), or the page that says they have none. */
export function homePath(session: AppSession): string {
  const first = session.memberships[0];
  return first ? orgPath(first.tenantSlug, '/projects') : '/no-workspace';
}
