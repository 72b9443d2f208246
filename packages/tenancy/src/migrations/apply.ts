import type pg from 'pg';
import { quoteIdent, searchPath } from '../sql/ident';
import type { TenantMigration } from './folder';

export const TRACKING_TABLE = '__tenant_migrations';
export const OWNER_ROLE = 'tenancy_owner';

/**
 * Applies the migrations a placement lacks, in one transaction, as the owner role, with the
 * placement's schema first on the search_path. The tracking table lives in the placement itself,
 * so each tenant records its own version and a failed run resumes where it stopped.
 * Returns the tag of the newest migration now applied (null when there are none).
 */
export interface MigrationTarget {
  schema: string;
  migrations: readonly TenantMigration[];
  /** Tenant tables the runtime roles get DML on; the tracking table is deliberately not among them. */
  tables: readonly string[];
  /** Roles that serve this placement's requests (app role, per-tenant role). */
  grantees: readonly string[];
}

export async function applyMigrations(client: pg.ClientBase, target: MigrationTarget): Promise<string | null> {
  const { schema, migrations } = target;
  const quoted = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL ROLE ${quoteIdent(OWNER_ROLE)}`);
    await client.query('SELECT set_config($1, $2, true)', ['search_path', searchPath(schema, 'tenancy', 'pg_catalog')]);
    // One lock per placement: migrating many tenants in parallel never serialises on a global lock.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tenancy.migrate:${schema}`]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.${TRACKING_TABLE} (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query<{ tag: string }>(`SELECT tag FROM ${quoted}.${TRACKING_TABLE}`)).rows.map((r) => r.tag));
    for (const migration of migrations) {
      if (applied.has(migration.tag)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query(`INSERT INTO ${quoted}.${TRACKING_TABLE} (tag) VALUES ($1)`, [migration.tag]);
    }
    await grantRuntime(client, target);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return migrations.at(-1)?.tag ?? null;
}

async function grantRuntime(client: pg.ClientBase, target: MigrationTarget): Promise<void> {
  const schema = quoteIdent(target.schema);
  for (const grantee of target.grantees) {
    const role = quoteIdent(grantee);
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    for (const table of target.tables) {
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${schema}.${quoteIdent(table)} TO ${role}`);
    }
  }
}
