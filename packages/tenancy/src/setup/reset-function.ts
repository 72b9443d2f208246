/**
 * tenancy.reset_session(text): everything a non-superuser session can leave behind that PostgreSQL
 * cannot take away by privilege, put back as the connection had it. The library runs it at the
 * end of every tenant transaction, before COMMIT and in the same write, so nothing set inside one
 * tenant's transaction is there when the next tenant's transaction gets the server connection.
 *
 * Kept out of reach by privilege instead, and so not here: temporary objects (no TEMP), objects in
 * any schema (no CREATE), large objects and session advisory locks (no EXECUTE on the functions
 * that make them, where setup() may revoke it); the unlock below covers servers where it may not.
 *
 * A procedure, run by CALL: a utility statement, so it is neither planned nor executed as a query,
 * and the server sends no row back; as `SELECT f()` the same body cost each tenant call a few µs
 * more (bench section 1.7). SECURITY INVOKER with no SET clause: a SET clause would put the
 * settings back on return, and the reset must act on the caller's own session. Every name inside
 * is schema-qualified or a command.
 */
export const RESET_FUNCTION = `
CREATE OR REPLACE PROCEDURE tenancy.reset_session(application_name text DEFAULT NULL)
LANGUAGE plpgsql
AS $fn$
BEGIN
  RESET ALL;              -- every setting, session level included (search_path, timeouts, default_transaction_*, the context)
  -- A PgBouncer server connection starts without the client's application_name: RESET ALL would
  -- blank it, and PgBouncer would take the blank for the client's own choice from then on. The
  -- library passes the name its client connected with, so no name set inside the transaction stays.
  IF reset_session.application_name IS NOT NULL THEN
    PERFORM pg_catalog.set_config('application_name', reset_session.application_name, false);
  END IF;
  RESET ROLE;             -- RESET ALL leaves the role alone
  UNLISTEN *;
  EXECUTE 'CLOSE ALL';    -- cursors WITH HOLD would outlive COMMIT
  DEALLOCATE ALL;         -- SQL-level prepared statements (tenant transactions use no named protocol statements)
  DISCARD SEQUENCES;      -- currval/lastval of sequences the transaction used
  PERFORM pg_catalog.pg_advisory_unlock_all();
END
$fn$`;

/** The procedure's identity, for grants and checks (GRANT ... ON ROUTINE, which names functions and procedures alike). */
export const RESET_SIGNATURE = 'tenancy.reset_session(text)';

/**
 * Until this version the reset was a function of the same name and arguments; a function and a
 * procedure cannot share them, and CREATE OR REPLACE cannot turn one into the other.
 */
export const DROP_RESET_FUNCTION = `
SELECT pg_catalog.format('DROP FUNCTION %s', p.oid::regprocedure) AS ddl FROM pg_catalog.pg_proc p
 WHERE p.oid = pg_catalog.to_regprocedure('tenancy.reset_session(text)') AND p.prokind = 'f'`;

/**
 * The statement the library sends; schema-qualified, so no search_path set inside the transaction
 * can redirect it. Behind PgBouncer it passes the application_name the client connected with ('' when
 * none); on a direct connection null, since RESET ALL already puts back what the client connected
 * with, and setting it again costs every call a few µs (bench section 1.8).
 */
export function resetSession(applicationName: string | null): { text: string; values: (string | null)[] } {
  return { text: 'CALL tenancy.reset_session($1)', values: [applicationName] };
}
