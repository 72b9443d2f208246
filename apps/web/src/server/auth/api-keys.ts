import 'server-only';

import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

import { serverEnv } from '@/env';

import type { MembershipRole } from './types';
import { authPool } from './accounts';

// A presented API key becomes a tenant before any tenant context exists, so it is resolved as app_auth, the role that
// resolves credentials (public.resolve_api_key, control-plane migration 0009): tenant requests run as app_user, which
// may not call it. The same role counts each key's requests (public.api_rate_limits), so SQL injected into a tenant
// request can neither read a key's hash nor lift its limit. Only src/server/tenant-data.ts uses this module.

/** What a key may do: its tenant, and the user and role it acts as (viewer for a read key). */
export interface ApiKeyPrincipal {
  keyId: string;
  tenantId: string;
  scope: 'read' | 'write';
  userId: string;
  role: MembershipRole;
}

/** The key's principal, or null for an unknown or revoked key, a creator who left, an organisation that does not serve. */
export async function resolveApiKey(hash: string): Promise<ApiKeyPrincipal | null> {
  const { rows } = await authPool().query<{ key_id: string; tenant_id: string; scope: 'read' | 'write'; user_id: string; role: MembershipRole }>(
    'SELECT key_id, tenant_id, scope, user_id, role FROM public.resolve_api_key($1)',
    [hash],
  );
  const row = rows[0];
  return row ? { keyId: row.key_id, tenantId: row.tenant_id, scope: row.scope, userId: row.user_id, role: row.role } : null;
}

/** Where a key stands in its window, for the RateLimit headers of every answer. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
  windowSeconds: number;
}

export type RateLimitOutcome = ({ allowed: true } | { allowed: false; retryAfterSeconds: number }) & { state: RateLimitState };

let limiter: RateLimiterPostgres | undefined;

function apiLimiter(): RateLimiterPostgres {
  if (!limiter) {
    const env = serverEnv();
    const pool = authPool();
    limiter = new RateLimiterPostgres({
      // rate-limiter-flexible names its statements; named statements fail through PgBouncer in transaction mode.
      storeClient: { query: (query: { text: string; values?: unknown[] }) => pool.query(query.text, query.values) },
      storeType: 'client',
      tableName: 'api_rate_limits',
      // The migration creates the table; app_auth may not.
      tableCreated: true,
      clearExpiredByTimeout: true,
      keyPrefix: 'api:key',
      points: env.API_RATE_LIMIT_REQUESTS,
      duration: env.API_RATE_LIMIT_WINDOW_SECONDS,
    });
  }
  return limiter;
}

/** Counts one request of `keyId`. A database failure throws: the API fails closed with it. */
export async function consumeApiRequest(keyId: string): Promise<RateLimitOutcome> {
  const env = serverEnv();
  const state = (res: RateLimiterRes): RateLimitState => ({
    limit: env.API_RATE_LIMIT_REQUESTS,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    windowSeconds: env.API_RATE_LIMIT_WINDOW_SECONDS,
  });
  try {
    return { allowed: true, state: state(await apiLimiter().consume(keyId)) };
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const refused = state(error);
    return { allowed: false, retryAfterSeconds: refused.resetSeconds, state: refused };
  }
}
