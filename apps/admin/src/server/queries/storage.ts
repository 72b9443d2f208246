import 'server-only';

import { operatorQuery } from '../operator-db';

// Sizes on disk and server connections, from PostgreSQL's own catalogs and statistics, read as app_operator.
// pg_total_relation_size needs no privilege; pg_database_size needs CONNECT on the database or the
// pg_read_all_stats role (control migration 0003 grants it to app_operator), and says null without either.

export interface StorageFacts {
  /** Every relation of a schema (tables, indexes, TOAST), by schema name. */
  schemaBytes: Map<string, number>;
  /** pg_database_size by database name; null where app_operator may not see it. */
  databaseBytes: Map<string, number | null>;
  /** The shared tenant tables (where every rls tenant's rows live), indexes and TOAST included. */
  sharedTablesBytes: number;
}

export async function storageFacts(input: {
  schemas: string[];
  databases: string[];
  sharedSchema: string;
  tenantTables: readonly string[];
}): Promise<StorageFacts> {
  const [schemas, databases, shared] = await Promise.all([
    operatorQuery<{ schema: string; bytes: string }>(
      `SELECT n.nspname AS schema, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
         FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm', 'p')
        WHERE n.nspname = ANY($1::text[])
        GROUP BY n.nspname`,
      [input.schemas],
    ),
    operatorQuery<{ datname: string; bytes: string | null }>(
      `SELECT d.datname,
              CASE WHEN has_database_privilege(d.oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'USAGE')
                   THEN pg_database_size(d.oid) END AS bytes
         FROM pg_database d
        WHERE d.datname = ANY($1::text[])`,
      [input.databases],
    ),
    operatorQuery<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
      [input.sharedSchema, [...input.tenantTables]],
    ),
  ]);
  return {
    schemaBytes: new Map(schemas.map((r) => [r.schema, Number(r.bytes)])),
    databaseBytes: new Map(databases.map((r) => [r.datname, r.bytes === null ? null : Number(r.bytes)])),
    sharedTablesBytes: Number(shared[0]?.bytes ?? 0),
  };
}

export interface ConnectionGroup {
  database: string;
  role: string;
  /** null without pg_read_all_stats: PostgreSQL hides other roles' session state. */
  state: string | null;
  count: number;
}

export interface ServerConnections {
  /** The server's max_connections. */
  maxConnections: number;
  reservedConnections: number;
  /** Client backends of every database and role. */
  total: number;
  groups: ConnectionGroup[];
  byDatabase: Map<string, number>;
}

export async function serverConnections(): Promise<ServerConnections> {
  const [settings, groups] = await Promise.all([
    operatorQuery<{ max: number; reserved: number }>(
      `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved`,
    ),
    operatorQuery<{ database: string | null; role: string | null; state: string | null; count: number }>(
      `SELECT datname AS database, usename AS role, state, count(*)::int AS count
         FROM pg_stat_activity
        WHERE backend_type = 'client backend'
        GROUP BY datname, usename, state
        ORDER BY count(*) DESC, datname, usename`,
    ),
  ]);
  const byDatabase = new Map<string, number>();
  const rows = groups.map((g) => ({ database: g.database ?? '(none)', role: g.role ?? '(unknown)', state: g.state, count: g.count }));
  for (const g of rows) byDatabase.set(g.database, (byDatabase.get(g.database) ?? 0) + g.count);
  return {
    maxConnections: settings[0]?.max ?? 0,
    reservedConnections: settings[0]?.reserved ?? 0,
    total: rows.reduce((sum, g) => sum + g.count, 0),
    groups: rows,
    byDatabase,
  };
}

/** The deployment's own database (where the catalog, the shared tables and schema tenants live). */
export async function currentDatabase(): Promise<string> {
  const rows = await operatorQuery<{ db: string }>('SELECT current_database() AS db');
  return rows[0]!.db;
}
