import 'server-only';

import { UserFacingError } from '../errors';
import type { TenantTx } from '../tenant-data';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

type TenantTable = 'projects' | 'tasks' | 'comments';

/**
 * Why an UPDATE or DELETE touched no row. Row-level security does not raise an error there: a row the role may
 * not change is simply not matched. Every role may read, so a row that is still visible was refused by the
 * update/delete policy (a member changing someone else's row, or a viewer), and an invisible one is gone.
 */
export async function unchangedReason(tx: TenantTx, table: TenantTable, id: string, noun: string): Promise<UserFacingError> {
  const { rows } = await tx.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
  if (rows.length === 0) return new UserFacingError('not-found', `That ${noun} no longer exists in this workspace.`);
  return new UserFacingError('forbidden', `Only the ${noun}'s creator or an admin can change it.`);
}
