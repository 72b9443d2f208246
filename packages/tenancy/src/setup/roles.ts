import type pg from 'pg';
import { passwordMatches, scramVerifier } from '../pgbouncer/scram';

/**
 * Creates a role unless it exists, in one statement that is safe to replay (init.sql replays what
 * setup() ran). Roles are cluster-wide, so two deployments or test suites may race to create the
 * same one: losing that race is success. The server's format() quotes the name; a password goes
 * in only as its SCRAM verifier, never as plaintext.
 */
export async function ensureRole(client: pg.ClientBase, name: string, options: { login: boolean; password?: string | undefined }): Promise<void> {
  const create = `CREATE ROLE %I ${options.login ? 'LOGIN' : 'NOLOGIN'}${options.password === undefined ? '' : ' PASSWORD %L'}`;
  const block = `DO $tenancy_role$ BEGIN ${create}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $tenancy_role$`;
  await execFormatted(client, block, options.password === undefined ? [name] : [name, scramVerifier(options.password)]);
}

/**
 * Sets a login role's password as a SCRAM verifier computed here: SQL text is visible in
 * pg_stat_activity, in server logs and in pg_stat_statements, and a verifier there gives nobody
 * the password.
 */
export async function setLoginPassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  await execFormatted(client, 'ALTER ROLE %I LOGIN PASSWORD %L', [role, scramVerifier(password)]);
}

/**
 * Makes an existing login role's password the given one. Where the connection may read pg_authid
 * (a superuser) an unchanged password is left alone, so running it again changes nothing;
 * elsewhere it is set every time.
 */
export async function syncPassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  const { rows } = await client.query<{ stored: string | null }>(
    `SELECT CASE WHEN has_table_privilege('pg_catalog.pg_authid', 'SELECT')
                 THEN (SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1) END AS stored`,
    [role],
  );
  if (passwordMatches(rows[0]?.stored ?? null, role, password)) return;
  await execFormatted(client, 'ALTER ROLE %I PASSWORD %L', [role, scramVerifier(password)]);
}

/** Runs a statement whose identifiers are filled in by the server's format(%I), never by string concatenation here. */
export async function execFormatted(client: pg.ClientBase, template: string, args: readonly string[]): Promise<void> {
  const placeholders = args.map((_, i) => `$${i + 2}::text`).join(', ');
  const { rows } = await client.query<{ ddl: string }>(`SELECT format($1${placeholders ? `, ${placeholders}` : ''}) AS ddl`, [template, ...args]);
  await client.query(rows[0]!.ddl);
}
