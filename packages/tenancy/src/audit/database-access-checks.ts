import type pg from 'pg';
import { GRANTEES_CTE, holders, ident, listed, revokeFrom } from './grantees';
import type { Finding } from './types';

/**
 * Rights on databases, asked from the deployment's database: pg_database is shared by the whole
 * cluster, so has_database_privilege() answers for every database without connecting to it.
 */

/** A database that serves tenants: the deployment's own, the template, or a database tenant's. */
export interface ServingDatabase {
  name: string;
  /** The tenant whose database it is. */
  tenant?: string | undefined;
}

/** A database tenant's login role and the database it belongs in. */
export interface TenantLogin {
  slug: string;
  role: string;
  database: string;
}

interface Granted {
  database: string;
  grantees: string[];
}

/** Which of `roles` (and PUBLIC) hold `privilege` on each of `databases`; one query. */
async function databaseGrantees(
  client: pg.ClientBase,
  roles: readonly string[],
  databases: readonly ServingDatabase[],
  privilege: 'TEMP' | 'CREATE',
): Promise<Granted[]> {
  const { rows } = await client.query<Granted>(
    `WITH ${GRANTEES_CTE}
     SELECT d.datname AS database, array_agg(g.name ORDER BY g.name) AS grantees
       FROM pg_catalog.pg_database d CROSS JOIN grantee g
      WHERE d.datname = ANY($2::text[]) AND has_database_privilege(g.name, d.oid, $3)
      GROUP BY d.datname`,
    [[...roles], databases.map((d) => d.name), privilege],
  );
  return rows;
}

function tenantOf(databases: readonly ServingDatabase[], name: string): { tenant?: string } {
  const tenant = databases.find((d) => d.name === name)?.tenant;
  return tenant ? { tenant } : {};
}

/**
 * No TEMP for the app role or a tenant role where tenants are served: a temporary table, view or
 * function lives as long as the server connection, so on a pooled connection it is still there
 * for the next tenant's transaction, and a temporary relation can shadow a table it names.
 */
export async function checkTempPrivilege(client: pg.ClientBase, roles: readonly string[], databases: readonly ServingDatabase[]): Promise<Finding[]> {
  return (await databaseGrantees(client, roles, databases, 'TEMP')).map(({ database, grantees }) => ({
    severity: 'high' as const,
    code: 'temp-privilege',
    object: database,
    ...tenantOf(databases, database),
    message: `${holders(grantees)} may create temporary objects in database ${database}; they outlive the transaction on a pooled connection. REVOKE TEMPORARY ON DATABASE ${ident(database)} FROM ${revokeFrom(grantees)} (setup() revokes it from PUBLIC).`,
  }));
}

/** No CREATE on a database that serves tenants: a runtime role could add a schema of its own. */
export async function checkDatabaseCreate(client: pg.ClientBase, roles: readonly string[], databases: readonly ServingDatabase[]): Promise<Finding[]> {
  return (await databaseGrantees(client, roles, databases, 'CREATE')).map(({ database, grantees }) => ({
    severity: 'high' as const,
    code: 'create-privilege',
    object: database,
    ...tenantOf(databases, database),
    message: `${holders(grantees)} may create schemas in database ${database}: REVOKE CREATE ON DATABASE ${ident(database)} FROM ${revokeFrom(grantees)}.`,
  }));
}

/**
 * A database tenant's role connects to its own database only. `databases` are the ones a role of
 * this deployment must not reach: the deployment's database, the template, every tenant database,
 * and the cluster's `postgres` and `template1`. Other databases of a shared cluster belong to
 * somebody else; what they grant is outside this deployment and not judged here. One finding per
 * database reached, naming the roles that reach it (one REVOKE closes it).
 */
export async function checkTenantConnect(client: pg.ClientBase, logins: readonly TenantLogin[], databases: readonly string[]): Promise<Finding[]> {
  if (logins.length === 0) return [];
  const { rows } = await client.query<{ database: string; roles: string[]; open: boolean }>(
    `SELECT d.datname AS database, array_agg(r.rolname::text ORDER BY r.rolname) AS roles,
            has_database_privilege('public', d.oid, 'CONNECT') AS open
       FROM unnest($1::text[], $2::text[]) AS t(role, own)
       JOIN pg_catalog.pg_roles r ON r.rolname = t.role
       JOIN pg_catalog.pg_database d ON d.datname = ANY($3::text[]) AND d.datname <> t.own AND d.datallowconn
      WHERE has_database_privilege(r.oid, d.oid, 'CONNECT')
      GROUP BY d.oid, d.datname`,
    [logins.map((l) => l.role), logins.map((l) => l.database), [...new Set(databases)]],
  );
  return rows.map(({ database, roles, open }) => ({
    severity: 'high' as const,
    code: 'tenant-role-connects-elsewhere',
    object: database,
    ...(roles.length === 1 ? { tenant: logins.find((l) => l.role === roles[0])!.slug } : {}),
    message: `Database tenant role${roles.length === 1 ? '' : 's'} ${listed(roles)} may connect to database ${database}, which is not theirs: REVOKE CONNECT ON DATABASE ${ident(database)} FROM ${open ? 'PUBLIC' : roles.map(ident).join(', ')}.`,
  }));
}

/**
 * Database tenants: nobody but the tenant's role (and the owner) may even connect. Not folded into
 * checkTenantConnect: a database open to PUBLIC is open to the app role and to every login of the
 * cluster too, and with a single database tenant there is no other tenant role to notice it.
 */
export async function checkDatabaseAccess(client: pg.ClientBase, databases: readonly string[]): Promise<Finding[]> {
  if (databases.length === 0) return [];
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname = ANY($1::text[]) AND has_database_privilege('public', oid, 'CONNECT')`,
    [[...databases]],
  );
  return rows.map(({ datname }) => ({
    severity: 'high' as const,
    code: 'database-connect-public',
    object: datname,
    message: 'Every role may connect to this tenant database: REVOKE CONNECT ... FROM PUBLIC.',
  }));
}
