/** Anything that runs a query and gives rows: a pg.Pool or pg.Client as a superuser. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * What "nothing changed" is compared on, read by a superuser: every schema, role and database of the cluster, and the
 * rows of `tables` (qualified names, read in full and sorted). Roles and databases are cluster-wide and other suites
 * make theirs at the same time: only those whose name starts with `clusterPrefix` (the suite's own) are compared.
 * Two equal snapshots mean a refused call left no trace.
 */
export async function databaseState(superuser: Queryable, tables: readonly string[], clusterPrefix: string): Promise<string> {
  const parts: Record<string, unknown> = {};
  const like = `${clusterPrefix.replace(/[\\_%]/g, (c) => `\\${c}`)}%`;
  const catalog: Record<string, string> = {
    schemas: "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' ORDER BY 1",
    roles: 'SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1',
    databases: 'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1',
    tables: "SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
  };
  for (const [name, text] of Object.entries(catalog)) parts[name] = (await superuser.query(text, text.includes('$1') ? [like] : [])).rows;
  for (const table of tables) {
    // Table names come from the test itself, never from generated input.
    if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`databaseState: not a qualified table name: ${table}`);
    parts[table] = (await superuser.query(`SELECT t::text AS row FROM ${table} t ORDER BY 1`)).rows;
  }
  return JSON.stringify(parts);
}
