import type pg from 'pg';
import { ident, listed } from './grantees';
import type { Finding } from './types';

/** The runtime roles themselves (cluster-wide): membership, stored defaults, password form. */

/** A tenant's role and the tenant's slug, for findings about the role. */
export interface TenantRole {
  slug: string;
  role: string;
}

function tenantOf(roles: readonly TenantRole[], role: string): { tenant?: string } {
  const found = roles.find((r) => r.role === role);
  return found ? { tenant: found.slug } : {};
}

/**
 * The app role is a member of every schema tenant's role so that it can assume one for a
 * transaction; holding a tenant role's rights without assuming it (inheriting them) would put
 * that tenant's schema in reach of every other tenant's transaction. pg_has_role(..., 'USAGE')
 * answers on 15 (the member's INHERIT attribute) and on 16+ (each grant's inherit option).
 */
export async function checkAppRoleInheritance(client: pg.ClientBase, appRole: string, tenantRoles: readonly TenantRole[]): Promise<Finding[]> {
  if (tenantRoles.length === 0) return [];
  const { rows } = await client.query<{ role: string }>(
    `SELECT t.rolname AS role
       FROM pg_catalog.pg_roles a JOIN pg_catalog.pg_roles t ON t.rolname = ANY($2::text[])
      WHERE a.rolname = $1 AND pg_has_role(a.oid, t.oid, 'USAGE')
      ORDER BY t.rolname`,
    [appRole, tenantRoles.map((t) => t.role)],
  );
  return rows.map(({ role }) => ({
    severity: 'critical' as const,
    code: 'app-role-inherits-tenant-role',
    object: role,
    ...tenantOf(tenantRoles, role),
    message: `${appRole} holds the rights of tenant role ${role} without assuming it: every tenant's transaction reaches that tenant's tables. On PostgreSQL 16+ GRANT ${ident(role)} TO ${ident(appRole)} WITH INHERIT FALSE, SET TRUE; on 15 ALTER ROLE ${ident(appRole)} NOINHERIT (setup() does both).`,
  }));
}

/**
 * ALTER ROLE ... SET is open to every role for itself: SQL inside a tenant transaction could store
 * a default (statement_timeout, default_transaction_read_only, search_path...) that every later
 * connection of the role starts with. Nothing the library installs sets one.
 */
export async function checkRoleSettings(client: pg.ClientBase, roles: readonly string[], tenantRoles: readonly TenantRole[]): Promise<Finding[]> {
  const { rows } = await client.query<{ role: string; database: string | null; settings: string[] }>(
    `SELECT r.rolname AS role, d.datname AS database, s.setconfig AS settings
       FROM pg_catalog.pg_db_role_setting s
       JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
       LEFT JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
      WHERE r.rolname = ANY($1::text[])
      ORDER BY r.rolname, d.datname NULLS FIRST`,
    [[...roles]],
  );
  const byRole = new Map<string, typeof rows>();
  for (const row of rows) byRole.set(row.role, [...(byRole.get(row.role) ?? []), row]);
  return [...byRole].map(([role, settings]) => ({
    severity: 'high' as const,
    code: 'runtime-role-settings',
    object: role,
    ...tenantOf(tenantRoles, role),
    message: `Role ${role} starts every connection with stored defaults (${listed(settings.flatMap((s) => s.settings.map((c) => (s.database ? `${c} in ${s.database}` : c))))}); SQL in a tenant transaction can store them. Run ${settings.map((s) => `ALTER ROLE ${ident(role)}${s.database ? ` IN DATABASE ${ident(s.database)}` : ''} RESET ALL`).join('; ')}.`,
  }));
}

/**
 * A password stored as md5 (or in plaintext, from servers before 10) can be replayed from a
 * leaked catalog or sniffed connection; the library sets SCRAM verifiers only. pg_authid is
 * readable by superusers alone: for any other admin connection this check is skipped.
 */
export async function checkPasswords(client: pg.ClientBase, roles: readonly string[], tenantRoles: readonly TenantRole[]): Promise<Finding[]> {
  const { rows: access } = await client.query<{ readable: boolean }>(`SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS readable`);
  if (!access[0]?.readable) return [];
  const { rows } = await client.query<{ role: string; md5: boolean }>(
    `SELECT rolname AS role, rolpassword LIKE 'md5%' AS md5 FROM pg_catalog.pg_authid
      WHERE rolname = ANY($1::text[]) AND rolpassword IS NOT NULL AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'
      ORDER BY rolname`,
    [[...roles]],
  );
  return rows.map(({ role, md5 }) => ({
    severity: 'medium' as const,
    code: 'password-not-scram',
    object: role,
    ...tenantOf(tenantRoles, role),
    message: `Role ${role} has ${md5 ? 'an md5' : 'a plaintext'} password: set it again as a SCRAM verifier (ALTER ROLE ${ident(role)} PASSWORD ... with password_encryption = 'scram-sha-256'); the library only ever sets SCRAM verifiers.`,
  }));
}
