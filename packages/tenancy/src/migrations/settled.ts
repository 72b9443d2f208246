import type pg from 'pg';
import { quoteIdent } from '../sql/ident';
import { TRACKING_TABLE } from './apply';

/** A schema placement in the deployment's database and the role that serves it. */
export interface SchemaPlacement {
  schema: string;
  role: string;
}

export interface SettledExpectation {
  /** Every migration tag of the folder: a placement is current only when its tracking table holds them all. */
  tags: readonly string[];
  /** Tenant tables: each must exist, carry the pin constraint and grant the role its DML. */
  tables: readonly string[];
  pinConstraint: string;
}

/** Tracking tables read per statement: a UNION of a few hundred arms plans in milliseconds. */
const BATCH = 250;

/**
 * What a migration transaction would still change, read from the server's catalog in one statement
 * for every placement: its tracking table, each tenant table with its pin constraint, and the role's
 * USAGE and DML grants (the three things applyMigrations and pinPlacement create or re-grant).
 * Objects are named by oid where they may be missing, so a missing one reads as "not settled" instead of an error.
 */
const OBJECTS_IN_PLACE = `
  SELECT p.schema
    FROM unnest($1::text[], $2::text[]) AS p(schema, role)
    JOIN pg_catalog.pg_roles r ON r.rolname = p.role
    JOIN pg_catalog.pg_namespace n ON n.nspname = p.schema
   WHERE to_regclass(format('%I.%I', p.schema, $3::text)) IS NOT NULL
     AND has_schema_privilege(r.oid, n.oid, 'USAGE')
     AND NOT EXISTS (
       SELECT 1
         FROM unnest($4::text[]) AS t(name)
        CROSS JOIN LATERAL (SELECT to_regclass(format('%I.%I', p.schema, t.name)) AS rel) x
        WHERE x.rel IS NULL
           OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = x.rel AND c.conname = $5)
           OR NOT (has_table_privilege(r.oid, x.rel, 'SELECT') AND has_table_privilege(r.oid, x.rel, 'INSERT')
                   AND has_table_privilege(r.oid, x.rel, 'UPDATE') AND has_table_privilege(r.oid, x.rel, 'DELETE')))`;

/** Runs fn on a pooled owner connection to the deployment's database. */
export type WithClient = <T>(fn: (client: pg.ClientBase) => Promise<T>) => Promise<T>;

/**
 * The schemas a migration run would leave exactly as they are, confirmed from the placements
 * themselves (the tenant catalog's schema_version is only a cache of their tracking tables, and a
 * restored backup or a hand edit can make it lie). A few statements for any number of placements,
 * where the full path opens one transaction of about ten statements per placement. Reading a
 * tracking table costs the server its first opening of the table in that backend, as the full path
 * pays too: the batches are spread over `parallel` connections as the full path spreads tenants.
 * It takes no advisory lock: what it reads was committed by migrations that commit their DDL and tracking rows together.
 */
export async function settledSchemas(
  withClient: WithClient,
  placements: readonly SchemaPlacement[],
  expect: SettledExpectation,
  parallel: number,
): Promise<Set<string>> {
  if (placements.length === 0) return new Set();
  const { rows } = await withClient((client) =>
    client.query<{ schema: string }>(OBJECTS_IN_PLACE, [
      placements.map((p) => p.schema),
      placements.map((p) => p.role),
      TRACKING_TABLE,
      [...expect.tables],
      expect.pinConstraint,
    ]),
  );
  const candidates = rows.map((r) => r.schema);
  const size = Math.min(BATCH, Math.ceil(candidates.length / Math.max(1, parallel)));
  const batches: string[][] = [];
  for (let start = 0; start < candidates.length; start += size) batches.push(candidates.slice(start, start + size));
  const settled = new Set<string>();
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      const current = batch;
      for (const schema of await withClient((client) => completeTracking(client, current, expect.tags))) settled.add(schema);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, batches.length)) }, worker));
  return settled;
}

/** The schemas whose tracking table holds every tag: one UNION ALL statement over their tables. */
async function completeTracking(client: pg.ClientBase, schemas: readonly string[], tags: readonly string[]): Promise<string[]> {
  // Each arm answers with its index only when the count matches, so the statement returns the complete ones.
  const arms = schemas.map((schema, i) => `SELECT ${i} AS k FROM ${quoteIdent(schema)}.${TRACKING_TABLE} WHERE tag = ANY($1::text[]) HAVING count(*) = $2`);
  await client.query('BEGIN');
  try {
    // A UNION of a few hundred tiny tables looks costly enough to the planner for parallel workers, and each new
    // worker opens every table again from cold: in the bench, about 1 s per batch of 250 with them, and 0.4 s for
    // the whole check of 1,000 tenants without.
    await client.query(`SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`);
    const { rows } = await client.query<{ k: number }>(arms.join('\nUNION ALL\n'), [[...tags], tags.length]);
    await client.query('COMMIT');
    return rows.map((r) => schemas[r.k]!);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
