import { randomBytes } from 'node:crypto';
import type { TestDatabase } from '@repo/localdb/harness';
import { startPgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import pg from 'pg';
import { explainPgBouncerLoginError, pgbouncerIni, pgbouncerUserlist, type PgBouncerInput } from '../../src/pgbouncer/index';

export const AUTH_PASSWORD = 'pgbouncer_auth_dev';
export const APP_USER = 'app_user';
export const APP_PASSWORD = 'app_user_dev';

type BouncerOptions = Omit<PgBouncerInput, 'authPassword' | 'authFile' | 'serverHost' | 'serverPort'>;

/** A real pgbouncer in front of the suite's server, configured only through the generator. */
export function startBouncerFor(db: TestDatabase, options: BouncerOptions): Promise<PgBouncer> {
  const server = new URL(db.url);
  const input = {
    serverHost: server.hostname,
    serverPort: Number(server.port || 5432),
    authPassword: AUTH_PASSWORD,
    // Replaced below by the runtime's own file; the generator wants an absolute path.
    authFile: '/dev/null',
    serverLoginRetry: 1,
    ...options,
  } satisfies PgBouncerInput;
  return startPgBouncer({
    ini: (runtime) =>
      pgbouncerIni({ ...input, listenPort: runtime.port, authFile: runtime.authFile, unixSocketDir: runtime.socketDir, pidfile: runtime.pidFile }),
    userlist: pgbouncerUserlist(input),
  });
}

/** A connected client through pgbouncer; a refused login comes back explained (PgBouncerLoginError). */
export async function connectThrough(bouncer: PgBouncer, user: string, password: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: bouncer.url(user, password, database), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined); // a restart or stop kills idle clients; the next query reports it
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw explainPgBouncerLoginError(error, { user, database });
  }
}

/** The raw error of a refused connection, as node-postgres reports it. */
export async function rawConnectError(url: string): Promise<Error & { code?: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    return error as Error & { code?: string };
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error('expected the connection to be refused');
}

export interface Seen {
  tenant: string | null;
  pid: number;
}

/** What the server connection serving `client` holds as the tenant setting, and which backend it is. */
export async function seenBy(client: pg.ClientBase): Promise<Seen> {
  const { rows } = await client.query<Seen>(`SELECT current_setting('app.current_tenant_id', true) AS tenant, pg_backend_pid() AS pid`);
  return rows[0]!;
}

/** Creates a login role unless it exists; roles are cluster-wide and suites run in parallel. */
export async function ensureLoginRole(admin: pg.ClientBase, role: string, password: string): Promise<void> {
  const { rows } = await admin.query<{ ddl: string }>(
    `SELECT format($f$DO $do$ BEGIN CREATE ROLE %I LOGIN PASSWORD %L; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $do$$f$, $1::text, $2::text) AS ddl`,
    [role, password],
  );
  await admin.query(rows[0]!.ddl);
}

export async function runFormatted(admin: pg.ClientBase, template: string, ...args: string[]): Promise<void> {
  const placeholders = args.map((_, i) => `, $${i + 2}::text`).join('');
  const { rows } = await admin.query<{ ddl: string }>(`SELECT format($1${placeholders}) AS ddl`, [template, ...args]);
  await admin.query(rows[0]!.ddl);
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
