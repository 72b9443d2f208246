import type pg from 'pg';
import { CONTEXT_FUNCTION_NAMES } from '../setup/context-functions';
import { quoteIdent } from '../sql/ident';

/**
 * What a per-tenant role may do: use its own schema and the tenancy functions its policies call,
 * and read and write its tenant tables. Nothing else; run as the owner, inside a transaction.
 */
export async function grantTenantRole(client: pg.ClientBase, schema: string, role: string, tables: readonly string[]): Promise<void> {
  const r = quoteIdent(role);
  // Every tenant of the database is granted the same `tenancy` schema and functions: two GRANTs on one object at
  // once fail with "tuple concurrently updated", so tenants provisioned together take turns (until COMMIT).
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tenancy.shared-grants']);
  await client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)}, tenancy TO ${r}`);
  for (const table of tables) await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${quoteIdent(schema)}.${quoteIdent(table)} TO ${r}`);
  for (const fn of CONTEXT_FUNCTION_NAMES) await client.query(`GRANT EXECUTE ON FUNCTION tenancy.${fn}() TO ${r}`);
}
