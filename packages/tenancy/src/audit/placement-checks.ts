import type pg from 'pg';
import { PIN_CONSTRAINT } from '../strategies/pin';
import type { Finding } from './types';

interface TableRow {
  table: string;
  rls: boolean;
  forced: boolean;
  app_owns: boolean;
  restrictive: boolean;
  unwrapped: boolean;
  indexed: boolean;
  pinned: boolean;
}

/**
 * Row-level security on one placement (a schema in some database): every tenant table must force
 * RLS, carry a RESTRICTIVE tenant policy, call the context function once per statement (wrapped in
 * a sub-select), have an index leading with tenant_id, and not be owned by a runtime role. A
 * placement of one tenant's own (`tenantId`: a tenant schema or database) also carries the pin, a
 * CHECK that tenant_id is that tenant's, exactly as pinPlacement() writes it.
 */
export async function checkPlacement(
  client: pg.ClientBase,
  input: { schema: string; tables: readonly string[]; runtimeRoles: readonly string[]; label: string; tenant?: string; tenantId?: string },
): Promise<Finding[]> {
  const { rows } = await client.query<TableRow>(
    `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
            pg_get_userbyid(c.relowner) = ANY($3::text[]) AS app_owns,
            EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND NOT p.polpermissive
                     AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_tenant_id()%') AS restrictive,
            EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid
                     AND regexp_replace(coalesce(pg_get_expr(p.polqual, p.polrelid), '') || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
                                        '\\(\\s*SELECT\\s+tenancy\\.current_tenant_id\\(\\)[^)]*\\)', '', 'gi') ~ 'current_tenant_id\\(\\)') AS unwrapped,
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = c.oid AND a.attname = 'tenant_id') AS indexed,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.conname = $4
                     AND pg_get_constraintdef(k.oid) = format('CHECK ((tenant_id = %L::uuid))', $5::text)) AS pinned
       FROM pg_class c
      WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`,
    [input.schema, [...input.tables], [...input.runtimeRoles], PIN_CONSTRAINT, input.tenantId ?? null],
  );
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], code: string, table: string, message: string) =>
    findings.push({ severity, code, object: `${input.label}.${table}`, message, ...(input.tenant ? { tenant: input.tenant } : {}) });
  const present = new Set(rows.map((r) => r.table));
  for (const table of input.tables)
    if (!present.has(table)) add('high', 'table-missing', table, `Tenant table ${table} is missing: the placement is not migrated.`);
  for (const row of rows) {
    if (!row.rls) add('critical', 'rls-disabled', row.table, 'Row-level security is disabled: every row of every tenant is visible.');
    else if (!row.forced) add('high', 'rls-not-forced', row.table, 'Row-level security is not FORCEd: the table owner bypasses every policy.');
    if (!row.restrictive)
      add(
        'critical',
        'no-restrictive-tenant-policy',
        row.table,
        'No RESTRICTIVE policy on tenancy.current_tenant_id(): a permissive role policy could widen past the tenant.',
      );
    if (row.unwrapped)
      add(
        'medium',
        'context-per-row',
        row.table,
        'A policy calls current_tenant_id() unwrapped: it runs once per row and defeats the tenant_id index. Write (select tenancy.current_tenant_id()).',
      );
    if (!row.indexed) add('medium', 'no-tenant-index', row.table, 'No index leads with tenant_id: every tenant query scans the table.');
    if (input.tenantId && !row.pinned) {
      add(
        'high',
        'placement-not-pinned',
        row.table,
        `Not pinned to its tenant: the CHECK constraint ${PIN_CONSTRAINT} (tenant_id = '${input.tenantId}') is missing or says something else, so SQL in another tenant's transaction that assumes this tenant's role could write its own rows here. Drop a ${PIN_CONSTRAINT} that differs, then run migrate(), which adds it.`,
      );
    }
    if (row.app_owns)
      add(
        'critical',
        'runtime-role-owns-table',
        row.table,
        'A runtime role owns this table, so policies do not bind it unless forced, and it can disable them.',
      );
  }
  return findings;
}

/** A runtime role must not be able to step around row-level security. */
export async function checkRuntimeRole(client: pg.ClientBase, role: string): Promise<Finding[]> {
  const { rows } = await client.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
    'SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1',
    [role],
  );
  const r = rows[0];
  if (!r) return [{ severity: 'high', code: 'runtime-role-missing', object: role, message: `Runtime role ${role} does not exist: run setup().` }];
  const findings: Finding[] = [];
  if (r.rolsuper)
    findings.push({
      severity: 'critical',
      code: 'runtime-role-superuser',
      object: role,
      message: `${role} is a superuser: row-level security never applies to it.`,
    });
  if (r.rolbypassrls)
    findings.push({ severity: 'critical', code: 'runtime-role-bypassrls', object: role, message: `${role} has BYPASSRLS: it sees every tenant's rows.` });
  if (r.rolcreaterole || r.rolcreatedb)
    findings.push({
      severity: 'high',
      code: 'runtime-role-privileged',
      object: role,
      message: `${role} can create roles or databases; a runtime role needs neither.`,
    });
  return findings;
}
