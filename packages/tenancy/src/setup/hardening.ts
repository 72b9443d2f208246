import type pg from 'pg';
import { OWNER_ROLE } from '../migrations/apply';

/**
 * System functions and views that tell one session about others: other tenants' tables (row
 * estimates, sizes, scan and write counters, column statistics with their most common values),
 * other sessions' queries and locks. PostgreSQL grants them to PUBLIC; a tenant request needs none.
 * The operator role gets them back for the admin app's reports.
 */
const STATISTICS_FUNCTIONS = `p.proname LIKE 'pg\\_stat\\_get\\_%' OR p.proname IN (
  'pg_lock_status', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids',
  'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size')`;
const STATISTICS_VIEWS = `c.relname LIKE 'pg\\_stat%' OR c.relname = 'pg_locks'`;

/**
 * Functions that leave state behind a transaction, or reach another session: session-level
 * advisory locks (kept after COMMIT and ROLLBACK), large objects (kept in the database, readable by
 * every session of the same role), and signalling other backends of the same role. The owner role
 * keeps the advisory locks: provisioning takes them.
 */
const SESSION_FUNCTIONS = `p.proname IN (
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared',
  'lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import',
  'pg_terminate_backend', 'pg_cancel_backend')`;
const OWNER_KEEPS = `p.proname LIKE '%advisory%'`;

export interface HardenOptions {
  /** Roles that keep CONNECT when PUBLIC loses it (the deployment's database); null leaves CONNECT as it is. */
  connect: readonly string[] | null;
  /** The operator role, which gets the statistics back. */
  operatorRole?: string | undefined;
}

/**
 * Takes away from PUBLIC, in the database `client` is connected to, what SQL running in a tenant
 * transaction could use to leave state on a pooled connection or to look at other tenants: TEMP
 * (temporary tables, views, functions and sequences), CREATE on public, plpgsql for DO blocks, and
 * the functions and views above. Idempotent. The catalog part needs a superuser; without one it is
 * skipped with a notice, and audit() reports what is still granted.
 */
export async function hardenDatabase(client: pg.ClientBase, options: HardenOptions): Promise<void> {
  await client.query(revokeDatabaseBlock(options.connect));
  await client.query(revokeCatalogBlock(options.operatorRole));
}

/** Names the database through current_database(), so the statement (and init.sql, which records it) fits any database name. */
function revokeDatabaseBlock(connect: readonly string[] | null): string {
  const grants = (connect ?? []).map((role) => `  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '${assertRoleName(role)}');`);
  return [
    'DO $tenancy_harden$',
    'BEGIN',
    "  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());",
    ...(connect ? ["  EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());", ...grants] : []),
    "  IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN",
    '    REVOKE CREATE ON SCHEMA public FROM PUBLIC;',
    '  END IF;',
    'END',
    '$tenancy_harden$',
  ].join('\n');
}

/** One DO block, so that on a server where the caller is not a superuser it becomes a notice instead of an error. */
function revokeCatalogBlock(operatorRole: string | undefined): string {
  const operator = operatorRole ? `'${assertRoleName(operatorRole)}'` : 'NULL';
  return `DO $tenancy_harden$
DECLARE
  f regprocedure;
  v regclass;
  operator text := ${operator};
BEGIN
  REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;
  EXECUTE format('GRANT USAGE ON LANGUAGE plpgsql TO %I', '${OWNER_ROLE}');
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (${STATISTICS_FUNCTIONS}) LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    IF operator IS NOT NULL THEN EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, operator); END IF;
  END LOOP;
  FOR v IN SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v' AND (${STATISTICS_VIEWS}) LOOP
    EXECUTE format('REVOKE SELECT ON %s FROM PUBLIC', v);
    IF operator IS NOT NULL THEN EXECUTE format('GRANT SELECT ON %s TO %I', v, operator); END IF;
  END LOOP;
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (${SESSION_FUNCTIONS}) LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (${SESSION_FUNCTIONS}) AND (${OWNER_KEEPS}) LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, '${OWNER_ROLE}');
  END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'tenancy: not a superuser, so system statistics, large objects, session advisory locks and plpgsql stay granted to PUBLIC (%); audit() reports each', SQLERRM;
END
$tenancy_harden$`;
}

/** The hardening SQL embeds role names (a DO block takes no parameters): only plain identifiers get in. */
function assertRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new TypeError(`Refusing unusual role name ${JSON.stringify(role)}`);
  return role;
}

/** What the catalog part of hardenDatabase takes away, for audit(): the same patterns. */
export const HARDENED = { STATISTICS_FUNCTIONS, STATISTICS_VIEWS, SESSION_FUNCTIONS, OWNER_KEEPS } as const;
