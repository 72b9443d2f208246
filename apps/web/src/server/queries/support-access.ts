import 'server-only';

import type { TenantQuery } from '../tenant-data';

// Support access to this organisation (packages/db: support_access, written only by its functions, which check the
// signed context: only an owner or admin approves or revokes). The read policy shows the grants to owners and admins.

export type SupportAccessState = 'pending' | 'active' | 'expired' | 'revoked';

export interface SupportAccessRow {
  id: string;
  operatorEmail: string;
  reason: string;
  requestedAt: Date;
  expiresAt: Date | null;
  state: SupportAccessState;
}

export async function listSupportAccess(db: TenantQuery): Promise<SupportAccessRow[]> {
  const { rows } = await db.query<SupportAccessRow>(
    `SELECT id, operator_email AS "operatorEmail", reason, requested_at AS "requestedAt", expires_at AS "expiresAt",
            CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at IS NULL THEN 'pending'
                 WHEN expires_at > now() THEN 'active' ELSE 'expired' END AS state
       FROM support_access ORDER BY requested_at DESC LIMIT 50`,
  );
  return rows;
}

/** Approves an open request for `minutes` (1 to 60); the function refuses anyone but an owner or admin (42501). */
export async function approveSupportAccess(db: TenantQuery, id: string, minutes: number): Promise<Date> {
  const { rows } = await db.query<{ ends: Date }>('SELECT support_access_approve($1, $2) AS ends', [id, minutes]);
  return rows[0]!.ends;
}

/** Ends a grant, or declines a request. */
export async function revokeSupportAccess(db: TenantQuery, id: string): Promise<void> {
  await db.query('SELECT support_access_revoke($1)', [id]);
}
