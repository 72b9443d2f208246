import { z } from 'zod';
import { AUTH_FUNCTION, AUTH_SCHEMA, authPassword, DEFAULT_AUTH_USER, roleName } from './config';
import { PgBouncerConfigError } from './errors';
import { scramVerifier } from './scram';

export interface AuthSetupOptions {
  /** Default `pgbouncer_auth`. */
  authUser?: string;
  /** Plain password; only its SCRAM verifier reaches the SQL. */
  authPassword: string;
}

const optionsSchema = z.object({ authUser: roleName.default(DEFAULT_AUTH_USER), authPassword });

export type ParsedAuthSetupOptions = z.output<typeof optionsSchema>;

export function parseAuthSetupOptions(options: AuthSetupOptions): ParsedAuthSetupOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new PgBouncerConfigError(parsed.error.issues);
  return parsed.data;
}

/**
 * The statements that let PgBouncer's auth_query find login roles in the current database:
 * the auth role (cluster-wide, created once, never a superuser) and pgbouncer.get_auth(), which
 * must exist in every database PgBouncer routes to because auth_query runs in the target
 * database. Run them as a superuser (only a superuser-owned SECURITY DEFINER function can read
 * pg_authid). Every statement can be replayed; all identifiers and literals inside the DDL are
 * quoted by the server's format(%I, %L).
 */
export function authSetupSql(options: AuthSetupOptions): string[] {
  const { authUser, authPassword: password } = parseAuthSetupOptions(options);
  const user = literal(authUser);
  return [ensureAuthRole(user, literal(scramVerifier(password))), ensureSchema(user), createLookupFunction(), grantLookup(user)];
}

function ensureAuthRole(user: string, verifier: string): string {
  return `DO $pgbouncer_auth$
DECLARE
  v_role pg_catalog.pg_roles%ROWTYPE;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'PgBouncer auth setup must run as a superuser (role % is not): only a superuser-owned function can read pg_authid', current_user;
  END IF;
  SELECT * INTO v_role FROM pg_catalog.pg_roles WHERE rolname = ${user};
  IF NOT FOUND THEN
    -- Roles are cluster-wide: a parallel install in another database may create it first.
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD %L', ${user}, ${verifier});
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  ELSIF v_role.rolsuper THEN
    RAISE EXCEPTION 'PgBouncer auth role % is a superuser: use a dedicated role without privileges', ${user};
  ELSIF NOT v_role.rolcanlogin THEN
    EXECUTE format('ALTER ROLE %I LOGIN', ${user});
  END IF;
END $pgbouncer_auth$`;
}

function ensureSchema(user: string): string {
  return `DO $pgbouncer_auth$
BEGIN
  EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', ${literal(AUTH_SCHEMA)});
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', ${literal(AUTH_SCHEMA)});
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', ${literal(AUTH_SCHEMA)}, ${user});
END $pgbouncer_auth$`;
}

// Returns no row for superusers, NOLOGIN roles and expired passwords, so PgBouncer refuses
// them before any server connection is made; search_path is pinned because the function runs
// with its owner's (superuser) rights.
function createLookupFunction(): string {
  return `CREATE OR REPLACE FUNCTION ${AUTH_SCHEMA}.${AUTH_FUNCTION}(p_usename text)
RETURNS TABLE (usename name, passwd text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $pgbouncer_auth$
  SELECT a.rolname, a.rolpassword
    FROM pg_catalog.pg_authid AS a
   WHERE a.rolname = p_usename
     AND a.rolcanlogin
     AND NOT a.rolsuper
     AND (a.rolvaliduntil IS NULL OR a.rolvaliduntil > pg_catalog.now())
$pgbouncer_auth$`;
}

function grantLookup(user: string): string {
  const fn = `${literal(AUTH_SCHEMA)}, ${literal(AUTH_FUNCTION)}`;
  return `DO $pgbouncer_auth$
BEGIN
  EXECUTE format('REVOKE ALL ON FUNCTION %I.%I(text) FROM PUBLIC', ${fn});
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.%I(text) TO %I', ${fn}, ${user});
  -- A tenant database may have revoked CONNECT from PUBLIC; auth_query still has to run there.
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), ${user});
END $pgbouncer_auth$`;
}

// Literals are built only from values already held to a narrow alphabet (validated role names,
// base64 SCRAM verifiers, fixed names), so a quote or the dollar tag can never appear; the
// check makes that an error instead of an assumption.
function literal(value: string): string {
  if (!/^[A-Za-z0-9_$:+/=-]+$/.test(value) || value.includes('$pgbouncer_auth$')) {
    throw new TypeError(`Refusing to embed ${JSON.stringify(value)} in SQL`);
  }
  return `'${value}'`;
}
