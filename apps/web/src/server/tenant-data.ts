import 'server-only';

import type { TenantTx } from '@repo/tenancy';
import type pg from 'pg';

import { logger } from '@/lib/logger';

import type { Membership } from './auth/accounts';
import { consumeApiRequest, resolveApiKey, type ApiKeyPrincipal, type RateLimitState } from './auth/api-keys';
import { bearerKey, hashApiKey } from './api-keys/secret';
import { requireOrgSession, type TenantSession } from './session';
import { tenancy } from './tenancy';
import type { AppTenancy } from '@repo/db/tenancy';

// THE way this app reaches tenant data. Every page, route handler and server action that reads or writes goes
// through one of these functions; nothing else imports the tenancy instance or a database driver
// (test/data-access.test.ts fails the build otherwise). Each takes the organisation's slug from the URL (a page's or
// route's params, a server action's bound first argument) and runs only if the session's memberships name it
// (requireOrgSession: otherwise notFound(), the same for another organisation as for one that does not exist). The
// tenant, the user and the role then come from that membership, never from the request itself, and the database
// enforces them: policies read the signed context that withTenant sets for this one transaction. The JSON API
// (/api/v1) has no session: its API key picks the organisation (apiKeyAccess and withApiKey below), resolved in the
// database, never anything in the request but the key.

export type { TenantTx };

/** What a single-statement query function needs: a TenantTx, or queryTenantSession below. */
export type TenantQuery = Pick<TenantTx, 'query'>;

/** Runs `fn` in a transaction of organisation `slug` (a membership of the user's), wherever its rows live (rls, schema, database). */
export async function withTenantSession<T>(slug: string, fn: (tx: TenantTx, session: TenantSession) => Promise<T>): Promise<T> {
  const session = await requireOrgSession(slug);
  return tenancy().withTenant(session.tenantId, (tx) => fn(tx, session), { userId: session.user.id, role: session.role });
}

/**
 * Runs `fn` in the deployment's own database with the same signed tenant context: for control-plane functions
 * scoped to the tenant (public.tenant_members, public.set_member_role). Tenant tables are not reachable here.
 */
export async function withTenantControlPlane<T>(slug: string, fn: (tx: TenantTx, session: TenantSession) => Promise<T>): Promise<T> {
  const session = await requireOrgSession(slug);
  return tenancy().withControlPlane(session.tenantId, (tx) => fn(tx, session), { userId: session.user.id, role: session.role });
}

/**
 * One statement as organisation `slug` in one round trip (tenancy.queryAs: the signed context and the statement
 * share one implicit transaction), for reads that need a single statement, such as GET /api/o/<slug>/projects.
 */
export function tenantStatement(slug: string): TenantQuery {
  return {
    async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
      const session = await requireOrgSession(slug);
      return tenancy().queryAs<R>(session.tenantId, text, params, { userId: session.user.id, role: session.role });
    },
  };
}

/**
 * The first of the user's workspaces other than `slug` where `fn` finds what `slug` did not (a linked project, say), or
 * null. `fn` runs in each tenant the user is a member of, one after the other, as that membership's role: the tenants
 * come from the session's memberships, never from the request, so this can only point the user to a workspace of
 * their own, and for anyone else a missing row stays a plain 404 that says nothing about other tenants.
 */
export async function findInOtherWorkspace(slug: string, fn: (tx: TenantTx) => Promise<boolean>): Promise<Membership | null> {
  const session = await requireOrgSession(slug);
  for (const membership of session.memberships) {
    if (membership.tenantId === session.tenantId) continue;
    try {
      const found = await tenancy().withTenant(membership.tenantId, fn, { userId: session.user.id, role: membership.role });
      if (found) return membership;
    } catch (error) {
      // A workspace under maintenance (or unreachable) cannot answer; the others still can.
      logger.warn({ event: 'other-workspace.lookup-failed', tenantId: membership.tenantId, err: error }, 'lookup in another workspace failed');
    }
  }
  return null;
}

/** The request had no API key, or one that does not resolve (unknown, revoked, its creator left, its tenant gone): 401. */
export class ApiKeyRefusedError extends Error {
  override readonly name = 'ApiKeyRefusedError';
  constructor(readonly reason: 'missing' | 'invalid') {
    super(
      reason === 'missing'
        ? 'Send an API key: Authorization: Bearer <key>.'
        : 'The API key is not valid: it is unknown or revoked, or its organisation or creator no longer has access.',
    );
  }
}

/** The key has used up its requests for the window: 429 with Retry-After. */
export class ApiRateLimitedError extends Error {
  override readonly name = 'ApiRateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    readonly rate: RateLimitState,
  ) {
    super(`Too many requests with this API key: try again in ${retryAfterSeconds} s.`);
  }
}

/** A resolved and counted API key: what withApiKey runs as. Made only by apiKeyAccess, never from request data. */
export interface ApiKeyAccess {
  readonly key: Readonly<ApiKeyPrincipal>;
  readonly rate: RateLimitState;
}

const issued = new WeakSet<ApiKeyAccess>();

/**
 * The API key of an `Authorization: Bearer <key>` header, resolved as app_auth and counted against its rate limit.
 * Throws ApiKeyRefusedError (401) or ApiRateLimitedError (429).
 */
export async function apiKeyAccess(authorization: string | null): Promise<ApiKeyAccess> {
  const presented = bearerKey(authorization);
  if (presented === null) throw new ApiKeyRefusedError(authorization ? 'invalid' : 'missing');
  const key = await resolveApiKey(hashApiKey(presented));
  if (!key) throw new ApiKeyRefusedError('invalid');
  const counted = await consumeApiRequest(key.keyId);
  if (!counted.allowed) throw new ApiRateLimitedError(counted.retryAfterSeconds, counted.state);
  const access: ApiKeyAccess = Object.freeze({ key: Object.freeze({ ...key }), rate: counted.state });
  issued.add(access);
  return access;
}

/**
 * Runs `fn` in a transaction of the key's tenant, exactly as withTenantSession does for a session: the same withTenant,
 * with the key's creator as the user and the key's role (viewer for a read key, the creator's current role for a write
 * key), so the policies refuse what the key may not do (42501).
 */
export async function withApiKey<T>(access: ApiKeyAccess, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  if (!issued.has(access)) throw new TypeError('withApiKey needs an access made by apiKeyAccess');
  return tenancy().withTenant(access.key.tenantId, fn, { userId: access.key.userId, role: access.key.role });
}

/**
 * The tenancy as the job queue's worker uses it: a job carries its tenant, user and role, and runs in withTenant like
 * a request of that user (src/server/jobs/queue.ts). Nothing else may take it.
 */
export function jobTenancy(): Pick<AppTenancy, 'withTenant'> {
  return { withTenant: (key, fn, options) => tenancy().withTenant(key, fn, options) };
}
