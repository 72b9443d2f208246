import 'server-only';

import { SUPPORT_ROLE } from '@repo/db/schema';
import type { TenantTx } from '@repo/tenancy';
import { SLUG_PATTERN } from '@repo/tenancy/slug';
import { UserFacingError } from '@repo/ui';
import { z } from 'zod';

import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';
import { storedText } from './text';

// Support access: an operator sees one organisation's data as its users do, read-only, for as long as an owner or
// admin of it allows (at most an hour). Every call here runs inside that tenant, through tenancy.withTenant on the
// app_user connection, with a context of the role `support` whose user id is the operator's: the same path and
// policies as a tenant request, and no role past row-level security (not the owner, not app_operator). The grant
// lives in the tenant's own placement (support_access), so the database checks it, and writes the request to the
// organisation's activity log, in the transaction of the reads themselves (support_access_enter()).

const supportContext = (operator: Operator) => ({ role: SUPPORT_ROLE, userId: operator.id });

export const requestSupportInput = z.object({
  slug: z.string().trim().regex(SLUG_PATTERN, 'Not a tenant slug.'),
  reason: storedText(500, 'Say why you need access (the organisation sees it).'),
});

export async function requestSupportAccess(input: z.infer<typeof requestSupportInput>, operator: Operator): Promise<void> {
  try {
    await tenancy().withTenant(input.slug, (tx) => tx.query('SELECT support_access_request($1, $2)', [operator.email, input.reason]), supportContext(operator));
  } catch (error) {
    if (isTenancyError(error, 'TenantNotFoundError')) throw new UserFacingError('not-found', `Tenant "${input.slug}" does not exist (deleted?).`);
    if ((error as { code?: string }).code === '23505') {
      throw new UserFacingError('conflict', 'You already have an open request for this organisation: wait for an owner or admin to answer it.');
    }
    throw error;
  }
}

export type SupportState = 'pending' | 'active' | 'expired' | 'revoked' | 'none';

export interface SupportStatus {
  state: SupportState;
  reason?: string;
  expiresAt?: Date;
}

/** The operator's newest request for the tenant and where it stands (the policy shows an operator only their own). */
export async function supportStatus(slug: string, operator: Operator): Promise<SupportStatus> {
  const { rows } = await tenancy().queryAs<{ reason: string; approvedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null; now: Date }>(
    slug,
    `SELECT reason, approved_at AS "approvedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt", now() AS now
       FROM support_access ORDER BY requested_at DESC LIMIT 1`,
    [],
    supportContext(operator),
  );
  const row = rows[0];
  if (!row) return { state: 'none' };
  const state: SupportState = row.revokedAt ? 'revoked' : !row.expiresAt ? 'pending' : row.expiresAt > row.now ? 'active' : 'expired';
  return { state, reason: row.reason, ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}) };
}

/** What a support page shows: the organisation's data, and when the access ends (for the banner). */
export interface SupportView<T> {
  endsAt: Date;
  /** Whole minutes left, by the database's clock. */
  minutesLeft: number;
  data: T;
}

/**
 * Runs `read` for a support page, after the database has checked the operator's grant and logged the request (`path`)
 * in the same transaction. Null when there is no valid grant (none asked, not approved, revoked, expired): then
 * nothing was read.
 */
export async function withSupportAccess<T>(slug: string, path: string, operator: Operator, read: (tx: TenantTx) => Promise<T>): Promise<SupportView<T> | null> {
  try {
    return await tenancy().withTenant(
      slug,
      async (tx) => {
        const { rows } = await tx.query<{ endsAt: Date; minutesLeft: number }>(
          `SELECT e AS "endsAt", ceil(extract(epoch FROM e - now()) / 60)::int AS "minutesLeft" FROM support_access_enter($1) e`,
          [path],
        );
        return { ...rows[0]!, data: await read(tx) };
      },
      supportContext(operator),
    );
  } catch (error) {
    if ((error as { code?: string }).code === 'TS001') return null;
    throw error;
  }
}

export interface SupportProject {
  id: string;
  name: string;
  description: string | null;
  taskCount: number;
  openCount: number;
}

export async function supportProjects(tx: TenantTx): Promise<SupportProject[]> {
  const { rows } = await tx.query<SupportProject>(
    `SELECT p.id, p.name, p.description, count(t.id)::int AS "taskCount", (count(t.id) FILTER (WHERE t.status <> 'done'))::int AS "openCount"
       FROM projects p LEFT JOIN tasks t ON t.project_id = p.id
      GROUP BY p.tenant_id, p.id ORDER BY p.created_at DESC LIMIT 200`,
  );
  return rows;
}

export interface SupportTask {
  id: string;
  title: string;
  status: string;
  dueDate: string | null;
}

export async function supportProject(tx: TenantTx, id: string): Promise<{ project: SupportProject; tasks: SupportTask[] } | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const projects = await tx.query<SupportProject>(`SELECT p.id, p.name, p.description, 0 AS "taskCount", 0 AS "openCount" FROM projects p WHERE p.id = $1`, [
    id,
  ]);
  const project = projects.rows[0];
  if (!project) return null;
  const tasks = await tx.query<SupportTask>(
    `SELECT id, title, status, to_char(due_date, 'YYYY-MM-DD') AS "dueDate" FROM tasks WHERE project_id = $1 ORDER BY created_at, id`,
    [id],
  );
  return { project, tasks: tasks.rows };
}
