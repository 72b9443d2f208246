/**
 * tenancy.reset_session(): everything a non-superuser session can leave behind that PostgreSQL
 * cannot take away by privilege, put back as the connection had it. The library runs it at the
 * end of every tenant transaction, before COMMIT and in the same write, so nothing set inside one
 * tenant's transaction is there when the next tenant's transaction gets the server connection.
 *
 * Kept out of reach by privilege instead, and so not here: temporary objects (no TEMP), objects in
 * any schema (no CREATE), large objects and session advisory locks (no EXECUTE on the functions
 * that make them, where setup() may revoke it); the unlock below covers servers where it may not.
 *
 * SECURITY INVOKER with no SET clause: a SET clause would put the settings back on return, and the
 * reset must act on the caller's own session. Every name inside is schema-qualified or a command.
 */
export const RESET_FUNCTION = `
CREATE OR REPLACE FUNCTION tenancy.reset_session() RETURNS void
LANGUAGE plpgsql VOLATILE
AS $fn$
BEGIN
  RESET ALL;              -- every setting, session level included (search_path, timeouts, default_transaction_*, the context)
  RESET ROLE;             -- RESET ALL leaves the role alone
  UNLISTEN *;
  EXECUTE 'CLOSE ALL';    -- cursors WITH HOLD would outlive COMMIT
  DEALLOCATE ALL;         -- SQL-level prepared statements (tenant transactions use no named protocol statements)
  DISCARD SEQUENCES;      -- currval/lastval of sequences the transaction used
  PERFORM pg_catalog.pg_advisory_unlock_all();
END
$fn$`;

/** The statement the library sends; schema-qualified, so no search_path set inside the transaction can redirect it. */
export const RESET_SESSION = 'SELECT tenancy.reset_session()';
