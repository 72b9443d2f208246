import type pg from 'pg';
import {
  CATALOG_TABLES,
  CATALOG_VERSION_FUNCTION,
  CONTEXT_KEY_TABLE,
  DROP_OLD_RESOLVE_FUNCTION,
  PREVIOUS_KEY_TABLE,
  RESOLVE_FUNCTION,
  SECRET_FUNCTION,
} from '../catalog/sql';
import { OWNER_ROLE } from '../migrations/apply';
import { writeContextKey, type KeyChange } from './context-key';
import { CONTEXT_FUNCTIONS, CONTEXT_FUNCTION_NAMES, KEY_FUNCTIONS } from './context-functions';
import { hardenDatabase } from './hardening';
import { DROP_RESET_FUNCTION, RESET_FUNCTION, RESET_SIGNATURE } from './reset-function';
import { ensureRole, execFormatted, syncPassword } from './roles';

/** Lookup functions whose signature changed (they now take a signed proof): dropped, never left callable. */
// reset_session() became reset_session(text DEFAULT NULL): a process of the previous version still calls it with no argument.
const REPLACED_FUNCTIONS = ['tenancy.resolve_tenant(text)', 'tenancy.get_secret(text)', 'tenancy.reset_session()'];

export interface InstallOptions {
  /** The context key to store, and how a different stored key is replaced; omitted, the stored key is left alone. */
  key?: KeyChange | undefined;
  appRole: { name: string; password?: string | undefined };
  operatorRole?: { name: string; password?: string | undefined } | undefined;
  sharedSchema: string;
  /**
   * The deployment's database gets the catalog and secrets; a tenant database (or its template)
   * only the context key and functions its policies call.
   */
  catalog: boolean;
  /**
   * Roles that may connect to this database once PUBLIC may not (the deployment's database: the runtime
   * roles); null leaves CONNECT alone (tenant databases and the template grant it per role).
   */
  connect: readonly string[] | null;
}

/**
 * Installs (or brings up to date) the tenancy schema. Idempotent: every statement either checks
 * first or replaces with identical text, so running it twice changes nothing.
 */
export async function install(client: pg.ClientBase, options: InstallOptions): Promise<boolean> {
  await ensureRole(client, OWNER_ROLE, { login: false });
  for (const role of [options.appRole, ...(options.operatorRole ? [options.operatorRole] : [])]) {
    await ensureRole(client, role.name, { login: true, password: role.password });
    // The URL is the source of truth: a role made earlier (init.sql's dev password) logs in with the configured one.
    if (role.password !== undefined) await syncPassword(client, role.name, role.password);
  }

  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tenancy.setup']);
    await grantOwnerPrivileges(client, options.sharedSchema);
    await isolateAppRole(client, options.appRole.name);
    await hardenDatabase(client, { connect: options.connect, operatorRole: options.operatorRole?.name });
    await execFormatted(client, 'CREATE SCHEMA IF NOT EXISTS tenancy AUTHORIZATION %I', [OWNER_ROLE]);
    await execFormatted(client, 'SET LOCAL ROLE %I', [OWNER_ROLE]);
    for (const ddl of options.catalog ? CATALOG_TABLES : [CONTEXT_KEY_TABLE, PREVIOUS_KEY_TABLE]) await client.query(ddl);
    const keyChanged = options.key ? await writeContextKey(client, options.key) : false;
    for (const fn of REPLACED_FUNCTIONS) await client.query(`DROP FUNCTION IF EXISTS ${fn}`);
    for (const { ddl } of (await client.query<{ ddl: string }>(DROP_RESET_FUNCTION)).rows) await client.query(ddl);
    if (options.catalog) for (const { ddl } of (await client.query<{ ddl: string }>(DROP_OLD_RESOLVE_FUNCTION)).rows) await client.query(ddl);
    for (const ddl of [
      ...KEY_FUNCTIONS,
      ...CONTEXT_FUNCTIONS,
      RESET_FUNCTION,
      ...(options.catalog ? [RESOLVE_FUNCTION, SECRET_FUNCTION, CATALOG_VERSION_FUNCTION] : []),
    ])
      await client.query(ddl);
    await grantRuntimeRoles(client, options);
    await client.query('COMMIT');
    return keyChanged;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The app role is a member of every schema tenant's role, so that it can assume one for a
 * transaction; it must not hold their rights without assuming it. NOINHERIT is the member's
 * attribute on PostgreSQL 15; from 16 each grant carries its own inherit option, so grants made
 * while the role still inherited are made again without it.
 */
async function isolateAppRole(client: pg.ClientBase, appRole: string): Promise<void> {
  await execFormatted(client, 'ALTER ROLE %I NOINHERIT', [appRole]);
  if ((await serverVersion(client)) < 160000) return;
  const { rows } = await client.query<{ role: string }>(
    `SELECT r.rolname AS role FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
      WHERE m.member = $1::regrole AND m.inherit_option`,
    [appRole],
  );
  for (const { role } of rows) await grantAssumable(client, role, appRole);
}

/** Lets `member` assume `role` (SET ROLE) without inheriting its rights. */
export async function grantAssumable(client: pg.ClientBase, role: string, member: string): Promise<void> {
  const version = await serverVersion(client);
  await execFormatted(client, version >= 160000 ? 'GRANT %I TO %I WITH INHERIT FALSE, SET TRUE' : 'GRANT %I TO %I', [role, member]);
}

export async function serverVersion(client: pg.ClientBase): Promise<number> {
  return (await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`)).rows[0]!.v;
}

async function grantOwnerPrivileges(client: pg.ClientBase, sharedSchema: string): Promise<void> {
  const { rows } = await client.query<{ member: boolean; superuser: boolean }>(
    `SELECT pg_has_role(current_user, $1, 'MEMBER') AS member, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
    [OWNER_ROLE],
  );
  if (!rows[0]?.member && !rows[0]?.superuser) await execFormatted(client, 'GRANT %I TO %I', [OWNER_ROLE, await currentUser(client)]);
  await execFormatted(client, 'GRANT USAGE, CREATE ON SCHEMA %I TO %I', [sharedSchema, OWNER_ROLE]);
}

async function grantRuntimeRoles(client: pg.ClientBase, options: InstallOptions): Promise<void> {
  await client.query('REVOKE ALL ON ALL TABLES IN SCHEMA tenancy FROM PUBLIC');
  // ROUTINES: procedures too, which PostgreSQL creates executable by PUBLIC.
  await client.query('REVOKE ALL ON ALL ROUTINES IN SCHEMA tenancy FROM PUBLIC');
  // It resets only the caller's own session; every role a tenant transaction can run as must be able to call it.
  await client.query(`GRANT EXECUTE ON ROUTINE ${RESET_SIGNATURE} TO PUBLIC`);
  const runtimeRoles = [options.appRole.name, ...(options.operatorRole ? [options.operatorRole.name] : [])];
  for (const role of runtimeRoles) {
    await execFormatted(client, 'GRANT USAGE ON SCHEMA tenancy TO %I', [role]);
    const functions = [
      ...CONTEXT_FUNCTION_NAMES.map((fn) => `${fn}()`),
      ...(options.catalog ? ['resolve_tenant(text, bigint, text)', 'get_secret(text, bigint, text)', 'catalog_version(bigint, text)'] : []),
    ];
    for (const signature of functions) await execFormatted(client, `GRANT EXECUTE ON FUNCTION tenancy.${signature} TO %I`, [role]);
  }
  if (options.operatorRole && options.catalog)
    await execFormatted(client, 'GRANT SELECT ON tenancy.tenants, tenancy.servers TO %I', [options.operatorRole.name]);
}

async function currentUser(client: pg.ClientBase): Promise<string> {
  return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
}
