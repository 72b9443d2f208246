import 'server-only';

import { checkSignInPassword } from '@repo/auth/password';
import type { SignedInUser } from '@repo/auth';
import type { MembershipRole, StrategyName } from './types';
import pg from 'pg';

import { serverEnv } from '@/env';
import { logger } from '@/lib/logger';

// The two lookups that necessarily happen outside any tenant: who is signing in (public.auth_user) and which
// tenants a user belongs to (public.user_memberships). Both are SECURITY DEFINER functions granted only to
// app_auth, a login role that may run these two and nothing else (no table, no tenant data); this module's pool is
// its connection (AUTH_DATABASE_URL). app_user, which serves tenant requests, may not call them: SQL injected into a
// tenant request cannot read a user's password hash or memberships. This module is the only one that uses
// AUTH_DATABASE_URL, and one of the few allowed to reach the database at all (test/data-access.test.ts names them
// and checks both).

export interface Membership {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  strategy: StrategyName;
  role: MembershipRole;
}

/**
 * How long a user's memberships are trusted without asking the database again. Every request re-checks its
 * tenant and role against this list, so a changed role takes effect within this window in every process (at once
 * in the process that made the change: it calls forgetMemberships). A removed member does not wait: deleting the
 * membership ends the user's sessions (migration 0006's trigger), and a new session reads the database first.
 */
const MEMBERSHIP_TTL_MS = 10_000;
const MAX_CACHED_USERS = 10_000;

const holder = globalThis as typeof globalThis & { __webAuthPool?: pg.Pool };

/**
 * app_auth's pool: the lookups below, the sign-in limits (sign-in-limits.ts), the sessions (sessions.ts) and a
 * password change (password.ts), which the same role writes (control-plane migrations 0005 and 0006 grant it those two
 * tables and public.set_user_password, and nothing else).
 */
export function authPool(): pg.Pool {
  if (!holder.__webAuthPool) {
    // Unnamed statements only, so it works through PgBouncer in transaction mode too.
    holder.__webAuthPool = new pg.Pool({ connectionString: serverEnv().AUTH_DATABASE_URL, max: 4, idleTimeoutMillis: 30_000 });
    holder.__webAuthPool.on('error', (error) => logger.warn({ err: error }, 'idle auth connection failed'));
  }
  return holder.__webAuthPool;
}

/** Email + password check for next-auth's Credentials provider. Null for an unknown email or a wrong password. */
export async function verifyCredentials(email: string, password: string): Promise<SignedInUser | null> {
  const { rows } = await authPool().query<{ id: string; email: string; name: string; password_hash: string }>(
    'SELECT id, email, name, password_hash FROM public.auth_user($1)',
    [email],
  );
  const user = rows[0];
  const ok = await checkSignInPassword(user?.password_hash, password);
  if (!user) {
    logger.info({ event: 'sign-in.failed', reason: 'unknown-email' }, 'sign-in refused');
    return null;
  }
  if (!ok) {
    logger.info({ event: 'sign-in.failed', reason: 'wrong-password', userId: user.id }, 'sign-in refused');
    return null;
  }
  // A signed-up user signs in once the emailed link confirmed the address (public.verify_email). Asked only after the
  // password matched: the refusal tells nothing to whoever does not know it.
  const verified = await authPool().query<{ verified: boolean | null }>('SELECT public.email_verified($1) AS verified', [user.id]);
  if (verified.rows[0]?.verified !== true) {
    logger.info({ event: 'sign-in.failed', reason: 'email-unconfirmed', userId: user.id }, 'sign-in refused');
    return null;
  }
  logger.info({ event: 'sign-in', userId: user.id }, 'signed in');
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * Keyed by user and server-side session: a new session (a sign-in after a removal ended the old ones) starts from the
 * database, whichever part of the app cached the old session's copy.
 */
const cache = new Map<string, { memberships: Membership[]; until: number }>();
const cacheKey = (userId: string, sessionId: string | undefined) => `${userId}:${sessionId ?? ''}`;

/**
 * The user's active tenants and roles, ordered by tenant name. `fresh` skips the cache (sign-in, tenant switch);
 * `sessionId` is the server-side session the request runs in.
 */
export async function loadMemberships(userId: string, options: { fresh?: boolean; sessionId?: string } = {}): Promise<Membership[]> {
  const key = cacheKey(userId, options.sessionId);
  const hit = cache.get(key);
  if (!options.fresh && hit && hit.until > Date.now()) return hit.memberships;
  const { rows } = await authPool().query<{ tenant_id: string; tenant_slug: string; tenant_name: string; strategy: StrategyName; role: MembershipRole }>(
    'SELECT tenant_id, tenant_slug, tenant_name, strategy, role FROM public.user_memberships($1)',
    [userId],
  );
  const memberships = rows.map((row) => ({
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    tenantName: row.tenant_name,
    strategy: row.strategy,
    role: row.role,
  }));
  if (cache.size >= MAX_CACHED_USERS) cache.clear();
  cache.set(key, { memberships, until: Date.now() + MEMBERSHIP_TTL_MS });
  return memberships;
}

/** After a role change in this process: the user's next request, in any of their sessions, reads their memberships again. */
export function forgetMemberships(userId: string): void {
  for (const key of cache.keys()) if (key.startsWith(`${userId}:`)) cache.delete(key);
}
