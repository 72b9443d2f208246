import type pg from 'pg';
import { CONTEXT_FUNCTION_NAMES } from '../setup/context-functions.js';
import { quoteIdent } from '../sql/ident.js';

/**
 * What a per-tenant role may do: use its own schema and the tenancy functions its policies call,
 * and read and write its tenant tables. Nothing else; run as the owner.
 */
export async function grantTenantRole(client: pg.ClientBase, schema: string, role: string, tables: readonly string[]): Promise<void> {
  const r = quoteIdent(role);
  await client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)}, tenancy TO ${r}`);
  for (const table of tables) await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${quoteIdent(schema)}.${quoteIdent(table)} TO ${r}`);
  for (const fn of CONTEXT_FUNCTION_NAMES) await client.query(`GRANT EXECUTE ON FUNCTION tenancy.${fn}() TO ${r}`);
}
