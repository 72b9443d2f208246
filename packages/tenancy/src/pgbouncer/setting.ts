/**
 * The one-word form of `createTenancy({ pooler })` that apps read from their environment
 * (TENANCY_POOLER), so web, admin and the Docker setup job map it the same way.
 */
export const POOLER_SETTINGS = ['direct', 'pgbouncer-session', 'pgbouncer-transaction'] as const;
export type PoolerSetting = (typeof POOLER_SETTINGS)[number];

export type PoolerOption = { kind: 'direct' } | { kind: 'pgbouncer'; mode: 'session' | 'transaction'; authPassword?: string };

/**
 * `authPassword` matters only to a process that provisions: with it, new tenant databases grant
 * CONNECT to PgBouncer's auth_query role, without which PgBouncer cannot log tenant roles in there.
 */
export function poolerFromSetting(setting: PoolerSetting, authPassword?: string): PoolerOption {
  if (setting === 'direct') return { kind: 'direct' };
  const mode = setting === 'pgbouncer-session' ? 'session' : 'transaction';
  return authPassword ? { kind: 'pgbouncer', mode, authPassword } : { kind: 'pgbouncer', mode };
}
