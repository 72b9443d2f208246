import 'server-only';

import type { TenantTx } from '@repo/tenancy';
import type pg from 'pg';

import { logger } from '@/lib/logger';

import type { Membership } from './auth/accounts';
import { requireOrgSession, type TenantSession } from './session';
import { tenancy } from './tenancy';
import type { AppTenancy } from '@repo/db/tenancy';

// THE way this app reaches tenant data. Every page, route handler and server action that reads or writes goes
// through one of these functions; nothing else imports the tenancy instance or a database driver
// (test/data-access.test.ts fails the build otherwise). Each takes the organisation's slug from the URL (a page's or
// route's params, a server action's bound first argument) and runs only if the session's memberships name it
// (requireOrgSession: otherwise notFound(), the same for another organisation as for one that does not exist). The
// tenant, the user and the role then come from that membership, never from the request itself, and the database
// enforces them: policies read the signed context that withTenant sets for this one transaction.

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

/**
 * The tenancy as the job queue's worker uses it: a job carries its tenant, user and role, and runs in withTenant like
 * a request of that user (src/server/jobs/queue.ts). Nothing else may take it.
 */
export function jobTenancy(): Pick<AppTenancy, 'withTenant'> {
  return { withTenant: (key, fn, options) => tenancy().withTenant(key, fn, options) };
}
