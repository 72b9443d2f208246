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

/**
 * The schemas a migration run would leave exactly as they are, confirmed from the placements
 * themselves (the tenant catalog's schema_version is only a cache of their tracking tables, and a
 * restored backup or a hand edit can make it lie). A few statements for any number of placements,
 * where the full path opens one transaction of about ten statements per placement. It takes no
 * lock: what it reads was committed by migrations that commit their DDL and tracking rows together.
 */
export async function settledSchemas(client: pg.ClientBase, placements: readonly SchemaPlacement[], expect: SettledExpectation): Promise<Set<string>> {
  if (placements.length === 0) return new Set();
  const { rows } = await client.query<{ schema: string }>(OBJECTS_IN_PLACE, [
    placements.map((p) => p.schema),
    placements.map((p) => p.role),
    TRACKING_TABLE,
    [...expect.tables],
    expect.pinConstraint,
  ]);
  const candidates = rows.map((r) => r.schema);
  const settled = new Set<string>();
  for (let start = 0; start < candidates.length; start += BATCH) {
    for (const schema of await completeTracking(client, candidates.slice(start, start + BATCH), expect.tags)) settled.add(schema);
  }
  return settled;
}

/** The schemas whose tracking table holds every tag: one UNION ALL statement over their tables. */
async function completeTracking(client: pg.ClientBase, schemas: readonly string[], tags: readonly string[]): Promise<string[]> {
  // Each arm answers with its index only when the count matches, so the statement returns the complete ones.
  const arms = schemas.map((schema, i) => `SELECT ${i} AS k FROM ${quoteIdent(schema)}.${TRACKING_TABLE} WHERE tag = ANY($1::text[]) HAVING count(*) = $2`);
  const { rows } = await client.query<{ k: number }>(arms.join('\nUNION ALL\n'), [[...tags], tags.length]);
  return rows.map((r) => schemas[r.k]!);
}
