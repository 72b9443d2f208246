import { startPgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import { installPgBouncerAuth, pgbouncerIni, pgbouncerUserlist, type PgBouncerInput } from '@repo/tenancy/pgbouncer';
import { withClient } from '../client';

/** The generator's settings that are the caller's to choose; the server, the listen port and the files are the launcher's. */
export type LocalPgBouncerSettings = Omit<
  PgBouncerInput,
  'serverHost' | 'serverPort' | 'authPassword' | 'authFile' | 'listenPort' | 'unixSocketDir' | 'pidfile'
>;

export interface LocalPgBouncerOptions {
  /** Superuser connection to the deployment's database: the server PgBouncer routes to, and where the lookup goes. */
  adminUrl: string;
  /** Password of PgBouncer's auth_query role. */
  authPassword: string;
  settings: LocalPgBouncerSettings;
  /**
   * Where to install the auth lookup: every database of the server a client may ask for (a deployment: the tenant
   * databases too; the default), or only adminUrl's database (a test database on a shared server, whose neighbours
   * come and go).
   */
  lookupIn?: 'every-database' | 'this-database';
  /** A fixed listen port (npm run dev); a free one otherwise. */
  port?: number;
}

export interface LocalPgBouncer {
  bouncer: PgBouncer;
  /** The same role, password and database as `directUrl`, through this PgBouncer. */
  through(directUrl: string): string;
  stop(): Promise<void>;
}

/**
 * A real PgBouncer in front of a local server, configured by @repo/tenancy's generator as infra/docker is: the one
 * launcher of `npm run dev -- --pgbouncer`, the web e2e suite and the benchmarks. The auth lookup goes into every
 * database a client may ask for (auth_query runs in that database): the deployment's and each tenant database.
 */
export async function startLocalPgBouncer(options: LocalPgBouncerOptions): Promise<LocalPgBouncer> {
  const databases = options.lookupIn === 'this-database' ? [null] : await connectableDatabases(options.adminUrl);
  for (const database of databases) await installAuth(options.adminUrl, database, options.authPassword);
  const server = new URL(options.adminUrl);
  const input = { ...options.settings, serverHost: server.hostname, serverPort: Number(server.port || 5432), authPassword: options.authPassword };
  const bouncer = await startPgBouncer({
    port: options.port,
    ini: (runtime) =>
      pgbouncerIni({ ...input, listenPort: runtime.port, authFile: runtime.authFile, unixSocketDir: runtime.socketDir, pidfile: runtime.pidFile }),
    userlist: pgbouncerUserlist({ ...input, authFile: '/unused' }),
  });
  const through = (directUrl: string) => {
    const url = new URL(directUrl);
    return bouncer.url(decodeURIComponent(url.username), decodeURIComponent(url.password), decodeURIComponent(url.pathname.slice(1)));
  };
  return { bouncer, through, stop: () => bouncer.stop() };
}

/** Every database of the server that takes connections, but the maintenance ones. */
function connectableDatabases(adminUrl: string): Promise<string[]> {
  return withClient(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND datname NOT IN ('postgres', 'template1')`,
    );
    return rows.map((row) => row.datname);
  });
}

/** The lookup, and CONNECT for the auth role, in `database` (null: adminUrl's own). */
async function installAuth(adminUrl: string, database: string | null, authPassword: string): Promise<void> {
  const url = new URL(adminUrl);
  if (database !== null) url.pathname = `/${encodeURIComponent(database)}`;
  await withClient(url.toString(), async (client) => {
    await installPgBouncerAuth(client, { authPassword });
    const { rows } = await client.query<{ sql: string }>(`SELECT format('GRANT CONNECT ON DATABASE %I TO pgbouncer_auth', current_database()) AS sql`);
    await client.query(rows[0]!.sql);
  });
}
