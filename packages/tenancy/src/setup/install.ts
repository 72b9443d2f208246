import type pg from 'pg';
import { CATALOG_TABLES, CONTEXT_KEY_TABLE, RESOLVE_FUNCTION, SECRET_FUNCTION } from '../catalog/sql.js';
import { hmacPads } from '../context/token.js';
import { OWNER_ROLE } from '../migrations/apply.js';
import { CONTEXT_FUNCTIONS, CONTEXT_FUNCTION_NAMES } from './context-functions.js';
import { ensureRole, execFormatted } from './roles.js';

export interface InstallOptions {
  key: Buffer;
  appRole: { name: string; password?: string | undefined };
  operatorRole?: { name: string; password?: string | undefined } | undefined;
  sharedSchema: string;
  /**
   * The deployment's database gets the catalog and secrets; a tenant database (or its template)
   * only the context key and functions its policies call.
   */
  catalog: boolean;
}

/**
 * Installs (or brings up to date) the tenancy schema. Idempotent: every statement either checks
 * first or replaces with identical text, so running it twice changes nothing.
 */
export async function install(client: pg.ClientBase, options: InstallOptions): Promise<void> {
  await ensureRole(client, OWNER_ROLE, { login: false });
  await ensureRole(client, options.appRole.name, { login: true, password: options.appRole.password });
  if (options.operatorRole) await ensureRole(client, options.operatorRole.name, { login: true, password: options.operatorRole.password });

  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tenancy.setup']);
    await grantOwnerPrivileges(client, options.sharedSchema);
    await execFormatted(client, 'CREATE SCHEMA IF NOT EXISTS tenancy AUTHORIZATION %I', [OWNER_ROLE]);
    await execFormatted(client, 'SET LOCAL ROLE %I', [OWNER_ROLE]);
    for (const ddl of options.catalog ? CATALOG_TABLES : [CONTEXT_KEY_TABLE]) await client.query(ddl);
    await storeKey(client, options.key);
    for (const ddl of [...CONTEXT_FUNCTIONS, ...(options.catalog ? [RESOLVE_FUNCTION, SECRET_FUNCTION] : [])]) await client.query(ddl);
    await grantRuntimeRoles(client, options);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function grantOwnerPrivileges(client: pg.ClientBase, sharedSchema: string): Promise<void> {
  const { rows } = await client.query<{ member: boolean; superuser: boolean }>(
    `SELECT pg_has_role(current_user, $1, 'MEMBER') AS member, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
    [OWNER_ROLE],
  );
  if (!rows[0]?.member && !rows[0]?.superuser) await execFormatted(client, 'GRANT %I TO %I', [OWNER_ROLE, await currentUser(client)]);
  await execFormatted(client, 'GRANT USAGE, CREATE ON SCHEMA %I TO %I', [sharedSchema, OWNER_ROLE]);
}

async function storeKey(client: pg.ClientBase, key: Buffer): Promise<void> {
  const { ipad, opad } = hmacPads(key);
  // Only rewrites the row when the secret changed, so a second setup() is a no-op.
  await client.query(
    `INSERT INTO tenancy.context_key (id, ipad, opad) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET ipad = excluded.ipad, opad = excluded.opad
     WHERE (context_key.ipad, context_key.opad) IS DISTINCT FROM (excluded.ipad, excluded.opad)`,
    [ipad, opad],
  );
}

async function grantRuntimeRoles(client: pg.ClientBase, options: InstallOptions): Promise<void> {
  await client.query('REVOKE ALL ON ALL TABLES IN SCHEMA tenancy FROM PUBLIC');
  await client.query('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tenancy FROM PUBLIC');
  const runtimeRoles = [options.appRole.name, ...(options.operatorRole ? [options.operatorRole.name] : [])];
  for (const role of runtimeRoles) {
    await execFormatted(client, 'GRANT USAGE ON SCHEMA tenancy TO %I', [role]);
    const functions = [...CONTEXT_FUNCTION_NAMES.map((fn) => `${fn}()`), ...(options.catalog ? ['resolve_tenant(text)', 'get_secret(text)'] : [])];
    for (const signature of functions) await execFormatted(client, `GRANT EXECUTE ON FUNCTION tenancy.${signature} TO %I`, [role]);
  }
  if (options.operatorRole && options.catalog) await execFormatted(client, 'GRANT SELECT ON tenancy.tenants TO %I', [options.operatorRole.name]);
}

async function currentUser(client: pg.ClientBase): Promise<string> {
  return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
}
