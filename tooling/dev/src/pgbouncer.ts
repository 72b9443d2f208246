import { DevError, startLocalPgBouncer, type DevUrls } from '@repo/db/local';
import { DEV_RUNNER_DEFAULTS } from '@repo/db/published-secrets';
import { requirePgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';

/** Dev-only password of PgBouncer's auth_query role (published, so production refuses it). */
export const DEV_PGBOUNCER_AUTH_PASSWORD = DEV_RUNNER_DEFAULTS.PGBOUNCER_AUTH_PASSWORD;

/**
 * `npm run dev -- --pgbouncer`: a real PgBouncer in transaction mode, configured by the same
 * generator infra/docker uses, in front of the embedded PostgreSQL. The apps' DATABASE_URL and
 * the web's AUTH_DATABASE_URL go through it; provisioning (ADMIN_DATABASE_URL) stays direct.
 */
export async function startDevPgBouncer(urls: DevUrls, port: number): Promise<{ bouncer: PgBouncer; urls: DevUrls }> {
  if (!requirePgBouncer()) throw new DevError('--pgbouncer needs the pgbouncer binary: apt-get install -y pgbouncer (or set PGBOUNCER_PATH).');
  const local = await startLocalPgBouncer({
    adminUrl: urls.adminDatabaseUrl,
    authPassword: DEV_PGBOUNCER_AUTH_PASSWORD,
    settings: { poolMode: 'transaction', defaultPoolSize: 20, maxClientConn: 500 },
    port,
  });
  return { bouncer: local.bouncer, urls: { ...urls, databaseUrl: local.through(urls.databaseUrl), authDatabaseUrl: local.through(urls.authDatabaseUrl) } };
}
