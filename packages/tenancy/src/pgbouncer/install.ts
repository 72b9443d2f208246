import type pg from 'pg';
import { authSetupSql, parseAuthSetupOptions, type AuthSetupOptions } from './auth-sql';
import { PgBouncerAuthSetupError } from './errors';
import { passwordMatches, scramVerifier } from './scram';

export interface InstallPgBouncerAuthResult {
  database: string;
  /** True when the auth role already existed with another password and it was changed. */
  passwordUpdated: boolean;
}

/**
 * Makes the database `client` is connected to reachable through PgBouncer's auth_query: run it
 * in every database PgBouncer routes to (each tenant database too). Idempotent and safe to run
 * from parallel suites: the cluster-wide role is created once, and its password is only changed
 * when it differs, so parallel installs with the same password never update the same row.
 */
export async function installPgBouncerAuth(client: pg.ClientBase, options: AuthSetupOptions): Promise<InstallPgBouncerAuthResult> {
  const { authUser, authPassword } = parseAuthSetupOptions(options);
  const database = await assertSuperuser(client);
  // No BEGIN/COMMIT of our own: the caller may already be in a transaction, and each
  // statement can be replayed, so a run cut short is finished by running it again.
  for (const statement of authSetupSql({ authUser, authPassword })) await client.query(statement).catch(raisedAsTyped);
  const passwordUpdated = await syncPassword(client, authUser, authPassword);
  return { database, passwordUpdated };
}

async function assertSuperuser(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ role: string; database: string; superuser: boolean }>(
    `SELECT current_user AS role, current_database() AS database, rolsuper AS superuser
       FROM pg_catalog.pg_roles WHERE rolname = current_user`,
  );
  const me = rows[0];
  if (!me?.superuser) {
    throw new PgBouncerAuthSetupError(
      `installPgBouncerAuth needs a superuser connection (role "${me?.role ?? '?'}" is not): the lookup function reads pg_authid, which only a superuser-owned SECURITY DEFINER function can.`,
    );
  }
  return me.database;
}

async function syncPassword(client: pg.ClientBase, role: string, password: string): Promise<boolean> {
  const { rows } = await client.query<{ stored: string | null }>('SELECT rolpassword AS stored FROM pg_catalog.pg_authid WHERE rolname = $1', [role]);
  if (passwordMatches(rows[0]?.stored ?? null, role, password)) return false;
  const { rows: ddl } = await client.query<{ sql: string }>(`SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS sql`, [
    role,
    scramVerifier(password),
  ]);
  await client.query(ddl[0]!.sql);
  return true;
}

// The setup SQL refuses an unusable auth role with RAISE EXCEPTION (SQLSTATE P0001); its message
// already says what is wrong, it only needs a type callers can catch.
function raisedAsTyped(error: unknown): never {
  if (error instanceof Error && (error as { code?: unknown }).code === 'P0001') throw new PgBouncerAuthSetupError(error.message, { cause: error });
  throw error;
}
