import type pg from 'pg';
import { CONTEXT_FUNCTION_NAMES } from '../setup/context-functions';
import { GRANTEES_CTE, holders, ident, revokeFrom } from './grantees';
import type { Finding, Severity } from './types';

/**
 * What SQL running as a runtime role may do inside one database (the one `client` is connected
 * to): schema, function, view and language privileges live in each database's own catalogs.
 * `roles` are the app role and every tenant role; PUBLIC is asked about too.
 */
export interface InDatabase {
  database: string;
  roles: readonly string[];
  /** The tenant whose database it is. */
  tenant?: string | undefined;
}

function finding(input: InDatabase, severity: Severity, code: string, object: string, message: string): Finding {
  return { severity, code, object, message, ...(input.tenant ? { tenant: input.tenant } : {}) };
}

/** Who may use each of a few named objects: rows of (object, grantees). */
interface Granted {
  object: string;
  grantees: string[];
}

/** "pg_stats (PUBLIC); pg_relation_size(regclass) (app_user)". */
function describe(granted: readonly Granted[]): string {
  return granted.map((g) => `${g.object} (${holders(g.grantees)})`).join('; ');
}

/** Every grantee named in any row: what the REVOKE must name. */
function grantees(granted: readonly Granted[]): string[] {
  return [...new Set(granted.flatMap((g) => g.grantees))];
}

/**
 * No CREATE in any schema: an object of a runtime role's own could shadow a table or function the
 * library or a tenant query names, or wait there for the next tenant.
 */
export async function checkSchemaCreate(client: pg.ClientBase, input: InDatabase): Promise<Finding[]> {
  const { rows } = await client.query<Granted>(
    `WITH ${GRANTEES_CTE}
     SELECT n.nspname AS object, array_agg(g.name ORDER BY g.name) AS grantees
       FROM pg_catalog.pg_namespace n CROSS JOIN grantee g
      WHERE has_schema_privilege(g.name, n.oid, 'CREATE')
      GROUP BY n.nspname ORDER BY n.nspname`,
    [[...input.roles]],
  );
  return rows.map(({ object: schema, grantees: who }) =>
    finding(
      input,
      'high',
      'create-privilege',
      `${input.database}.${schema}`,
      `${holders(who)} may create objects in schema ${schema} of database ${input.database}: they could shadow what a tenant query names. REVOKE CREATE ON SCHEMA ${ident(schema)} FROM ${revokeFrom(who)}.`,
    ),
  );
}

/**
 * A SECURITY DEFINER function runs with its owner's rights, past row-level security when the owner
 * bypasses it. One a runtime role may call must scope what it returns by the verified context
 * (current_tenant_id(), current_user_id()) or answer only a signed proof (signature_valid()); the
 * context functions are the verifiers themselves. Reading the body is a heuristic: a function that
 * mentions a verifier but does not filter by it is for review, not for this check.
 */
export async function checkDefinerFunctions(client: pg.ClientBase, input: InDatabase): Promise<Finding[]> {
  const { rows } = await client.query<Granted>(
    `WITH ${GRANTEES_CTE}
     SELECT format('%s.%s(%s)', quote_ident(n.nspname), quote_ident(p.proname), pg_get_function_identity_arguments(p.oid)) AS object,
            array_agg(g.name ORDER BY g.name) AS grantees
       FROM pg_catalog.pg_proc p
       JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
       CROSS JOIN grantee g
      WHERE p.prosecdef
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND NOT (n.nspname = 'tenancy' AND p.proname = ANY($2::text[]))
        AND strpos(p.prosrc, 'current_tenant_id()') = 0
        AND strpos(p.prosrc, 'current_user_id()') = 0
        AND strpos(p.prosrc, 'signature_valid(') = 0
        AND has_function_privilege(g.name, p.oid, 'EXECUTE')
      GROUP BY p.oid, n.nspname ORDER BY 1`,
    [[...input.roles], [...CONTEXT_FUNCTION_NAMES]],
  );
  return rows.map(({ object: fn, grantees: who }) =>
    finding(
      input,
      'critical',
      'definer-function-unscoped',
      `${input.database}.${fn}`,
      `SECURITY DEFINER function ${fn} in database ${input.database} may be executed by ${holders(who)} and is scoped by neither the tenant context (current_tenant_id(), current_user_id()) nor a signed proof: it can return another tenant's or another user's data. Filter it by the context, or REVOKE EXECUTE ON FUNCTION ${fn} FROM ${revokeFrom(who)}.`,
    ),
  );
}

/** A few representative statistics objects: counters, sizes and sampled values of every tenant's tables, and other sessions' queries. */
const STATISTICS_OBJECTS = [
  ['pg_catalog.pg_stats', 'view'],
  ['pg_catalog.pg_stat_user_tables', 'view'],
  ['pg_catalog.pg_stat_activity', 'view'],
  ['pg_catalog.pg_stat_get_live_tuples(oid)', 'function'],
  ['pg_catalog.pg_relation_size(regclass)', 'function'],
] as const;

/** Functions that leave state on the server connection, or reach other sessions. */
const SESSION_FUNCTIONS = [
  'pg_catalog.pg_advisory_lock(bigint)',
  'pg_catalog.lo_from_bytea(oid,bytea)',
  'pg_catalog.pg_terminate_backend(integer,bigint)',
] as const;

/** Which of `objects` (views or functions, by name) the roles or PUBLIC may use; objects this server lacks are left out. */
async function systemGrantees(
  client: pg.ClientBase,
  roles: readonly string[],
  objects: readonly (readonly [string, 'view' | 'function'])[],
): Promise<Granted[]> {
  const { rows } = await client.query<Granted>(
    `WITH ${GRANTEES_CTE}
     SELECT o.name AS object, array_agg(g.name ORDER BY g.name) AS grantees
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS o(name, kind, n)
       CROSS JOIN grantee g
      WHERE CASE o.kind WHEN 'view' THEN has_table_privilege(g.name, to_regclass(o.name), 'SELECT')
                        ELSE has_function_privilege(g.name, to_regprocedure(o.name), 'EXECUTE') END
      GROUP BY o.name, o.n ORDER BY o.n`,
    [[...roles], objects.map(([name]) => name), objects.map(([, kind]) => kind)],
  );
  return rows.map((row) => ({ ...row, object: row.object.replace(/^pg_catalog\./, '') }));
}

/** Statistics tell one tenant about another's tables (row counts, sizes, common values) and sessions. */
export async function checkStatistics(client: pg.ClientBase, input: InDatabase): Promise<Finding[]> {
  const granted = await systemGrantees(client, input.roles, STATISTICS_OBJECTS);
  if (granted.length === 0) return [];
  return [
    finding(
      input,
      'medium',
      'statistics-visible',
      input.database,
      `In database ${input.database} runtime roles may read system statistics: ${describe(granted)}. They show other tenants' row counts, sizes, column values and queries. PostgreSQL lets a superuser revoke them (REVOKE ... FROM ${revokeFrom(grantees(granted))}); setup() does when it runs as one.`,
    ),
  ];
}

/** Session advisory locks and large objects outlive the transaction on a pooled connection; terminating backends reaches other sessions. */
export async function checkSessionFunctions(client: pg.ClientBase, input: InDatabase): Promise<Finding[]> {
  const granted = await systemGrantees(
    client,
    input.roles,
    SESSION_FUNCTIONS.map((fn) => [fn, 'function'] as const),
  );
  if (granted.length === 0) return [];
  return [
    finding(
      input,
      'medium',
      'session-functions-available',
      input.database,
      `In database ${input.database} runtime roles may execute ${describe(granted)}: a session advisory lock or a large object outlives the transaction on a pooled connection, and pg_terminate_backend reaches other sessions of the role. A superuser can REVOKE EXECUTE ... FROM ${revokeFrom(grantees(granted))}; setup() does when it runs as one.`,
    ),
  ];
}

/** DO blocks need USAGE on plpgsql; a tenant request has no use for them. */
export async function checkPlpgsql(client: pg.ClientBase, input: InDatabase): Promise<Finding[]> {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_catalog.pg_language l WHERE l.lanname = 'plpgsql' AND has_language_privilege('public', l.oid, 'USAGE')`,
  );
  if (rows.length === 0) return [];
  return [
    finding(
      input,
      'low',
      'plpgsql-public',
      input.database,
      `Every role may use language plpgsql in database ${input.database}, so SQL in a tenant transaction can run DO blocks. A superuser can REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC; setup() does when it runs as one.`,
    ),
  ];
}
