import 'server-only';

import type { ApiKeyScope } from '@repo/db/schema';

import { newApiKey } from '../api-keys/secret';
import type { TenantTx } from '../tenant-data';

// The organisation's API keys, through the control-plane functions of migration 0009 (run in withTenantControlPlane):
// they act on the verified context's organisation only, for its owners and admins only (42501 otherwise), and never
// return a hash. The key itself is made here and leaves only in the creation's answer, once.

export interface ApiKeySummary {
  id: string;
  prefix: string;
  name: string;
  scope: ApiKeyScope;
  createdByName: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiKeys(tx: TenantTx): Promise<ApiKeySummary[]> {
  const { rows } = await tx.query<ApiKeySummary>(
    `SELECT id, prefix, name, scope, created_by_name AS "createdByName", created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
       FROM public.tenant_api_keys()`,
  );
  return rows;
}

/** Creates a key and returns it: the only time anyone sees it. */
export async function createApiKey(tx: TenantTx, input: { name: string; scope: ApiKeyScope }): Promise<{ id: string; key: string; prefix: string }> {
  const made = newApiKey();
  const { rows } = await tx.query<{ id: string }>('SELECT public.create_api_key($1, $2, $3, $4) AS id', [input.name, input.scope, made.prefix, made.hash]);
  return { id: rows[0]!.id, key: made.key, prefix: made.prefix };
}

export async function revokeApiKey(tx: TenantTx, id: string): Promise<void> {
  await tx.query('SELECT public.revoke_api_key($1)', [id]);
}
