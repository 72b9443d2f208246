import type pg from 'pg';

/** Connection settings for another role and database on the server a URL points at (passwords stay out of URLs). */
export function connectionFor(url: string, change: { user?: string; database?: string; password?: string | (() => Promise<string>) }): pg.ClientConfig {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode');
  // Kept for tenant databases too, so pg_stat_activity tells whose connections they are.
  const applicationName = parsed.searchParams.get('application_name');
  return {
    host: decodeURIComponent(parsed.hostname),
    port: Number(parsed.port || 5432),
    user: change.user ?? decodeURIComponent(parsed.username),
    database: change.database ?? decodeURIComponent(parsed.pathname.slice(1)),
    password: change.password ?? decodeURIComponent(parsed.password),
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
    ...(applicationName ? { application_name: applicationName } : {}),
  };
}

/** The login role a URL names, with its password. */
export function roleOf(url: string): { name: string; password: string | undefined } {
  const parsed = new URL(url);
  return { name: decodeURIComponent(parsed.username), password: parsed.password ? decodeURIComponent(parsed.password) : undefined };
}
