import type pg from 'pg';
import { passwordMatches, scramVerifier } from '@repo/tenancy/pgbouncer';

/**
 * The login role of sign-in and membership lookups (control-plane migration 0004_auth_role): it may execute
 * public.auth_user() and public.user_memberships() and nothing else, and tenant requests never use it.
 */
export const AUTH_ROLE = 'app_auth';

/** `changed`: ALTER ROLE replaced the password (it differed, or a non-superuser owner could not compare it). */
export type AuthRolePassword = 'unchanged' | 'changed';

/**
 * Makes sure app_auth exists and logs in with the password in `authUrl` (AUTH_DATABASE_URL). The password never
 * reaches the server: the role gets a SCRAM verifier computed here, so no SQL text (pg_stat_activity, the server
 * log, init.sql) carries it. Runs on `admin`, the owner connection:
 *
 * 1. creates the role with the verifier unless it exists (one statement, safe to replay and to race: roles are
 *    cluster-wide, and losing a race to create it is success);
 * 2. refuses a superuser or BYPASSRLS app_auth;
 * 3. changes the password only when the stored one differs. Reading it needs a superuser (pg_authid); any other
 *    owner sets it on every call.
 *
 * Call it before the control-plane migrations: 0004_auth_role then finds the role and only grants.
 */
export async function ensureAuthRole(admin: pg.ClientBase, authUrl: string): Promise<AuthRolePassword> {
  const { role, password } = credentialsOf(authUrl);
  const verifier = scramVerifier(password);
  await execFormatted(
    admin,
    'DO $app_auth$ BEGIN CREATE ROLE %I LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L; ' +
      'EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $app_auth$',
    [role, verifier],
  );
  const { rows } = await admin.query<{ rolsuper: boolean; rolbypassrls: boolean; owner_is_superuser: boolean }>(
    `SELECT r.rolsuper, r.rolbypassrls, (SELECT me.rolsuper FROM pg_catalog.pg_roles me WHERE me.rolname = current_user) AS owner_is_superuser
       FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  const found = rows[0];
  if (!found) throw new Error(`Role ${role} was not created`);
  if (found.rolsuper || found.rolbypassrls) {
    throw new Error(`Role ${role} is a superuser or BYPASSRLS role: it must be able to run the sign-in lookups and nothing else`);
  }
  if (found.owner_is_superuser) {
    const stored = await admin.query<{ rolpassword: string | null }>('SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1', [role]);
    if (passwordMatches(stored.rows[0]?.rolpassword ?? null, role, password)) return 'unchanged';
  }
  await execFormatted(admin, 'ALTER ROLE %I PASSWORD %L', [role, verifier]);
  return 'changed';
}

function credentialsOf(authUrl: string): { role: string; password: string } {
  const url = new URL(authUrl);
  const role = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  // The migrations grant the lookups to app_auth by name; another role would sign nobody in.
  if (role !== AUTH_ROLE) throw new Error(`The auth connection URL (AUTH_DATABASE_URL) must name role ${AUTH_ROLE}, not "${role}"`);
  if (!password) throw new Error(`The auth connection URL (AUTH_DATABASE_URL) has no password for ${AUTH_ROLE}`);
  return { role, password };
}

/** The server's format() quotes the identifier and the verifier; the statement it returns is then run as it is. */
async function execFormatted(client: pg.ClientBase, template: string, args: readonly string[]): Promise<void> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(', ');
  const { rows } = await client.query<{ ddl: string }>(`SELECT format($1, ${placeholders}) AS ddl`, [template, ...args]);
  await client.query(rows[0]!.ddl);
}
