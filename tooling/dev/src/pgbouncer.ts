import { requirePgBouncer, startPgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import { installPgBouncerAuth, pgbouncerIni, pgbouncerUserlist } from '@repo/tenancy/pgbouncer';
import pg from 'pg';
import { DEV_DATABASE, DevError, type DevUrls } from '@repo/db/local';
import { DEV_RUNNER_DEFAULTS } from '@repo/db/published-secrets';

/** Dev-only password of PgBouncer's auth_query role (published, so production refuses it). */
export const DEV_PGBOUNCER_AUTH_PASSWORD = DEV_RUNNER_DEFAULTS.PGBOUNCER_AUTH_PASSWORD;

/**
 * `npm run dev -- --pgbouncer`: a real PgBouncer in transaction mode, configured by the same
 * generator infra/docker uses, in front of the embedded PostgreSQL. The apps' DATABASE_URL and
 * the web's AUTH_DATABASE_URL go through it; provisioning (ADMIN_DATABASE_URL) stays direct.
 */
export async function startDevPgBouncer(urls: DevUrls, port: number): Promise<{ bouncer: PgBouncer; urls: DevUrls }> {
  if (!requirePgBouncer()) throw new DevError('--pgbouncer needs the pgbouncer binary: apt-get install -y pgbouncer (or set PGBOUNCER_PATH).');
  await installEverywhere(urls.adminDatabaseUrl);
  const server = new URL(urls.adminDatabaseUrl);
  const input = {
    poolMode: 'transaction' as const,
    serverHost: server.hostname,
    serverPort: Number(server.port),
    authPassword: DEV_PGBOUNCER_AUTH_PASSWORD,
    authFile: '/dev/null',
    defaultPoolSize: 20,
    maxClientConn: 500,
  };
  const bouncer = await startPgBouncer({
    port,
    ini: (runtime) =>
      pgbouncerIni({ ...input, listenPort: runtime.port, authFile: runtime.authFile, unixSocketDir: runtime.socketDir, pidfile: runtime.pidFile }),
    userlist: pgbouncerUserlist(input),
  });
  const through = (direct: string) => {
    const url = new URL(direct);
    return bouncer.url(decodeURIComponent(url.username), decodeURIComponent(url.password), DEV_DATABASE);
  };
  return { bouncer, urls: { ...urls, databaseUrl: through(urls.databaseUrl), authDatabaseUrl: through(urls.authDatabaseUrl) } };
}

/** auth_query runs in the database being connected to: the deployment's and every tenant database need the lookup function. */
async function installEverywhere(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datallowconn and datname not in ('postgres', 'template1')`);
  await admin.end();
  for (const { datname } of rows) {
    const url = new URL(adminUrl);
    url.pathname = `/${datname}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await installPgBouncerAuth(client, { authPassword: DEV_PGBOUNCER_AUTH_PASSWORD });
      await client.query(`select format('GRANT CONNECT ON DATABASE %I TO pgbouncer_auth', current_database())`).then((r) => client.query(r.rows[0].format));
    } finally {
      await client.end();
    }
  }
}
