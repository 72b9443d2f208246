import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { ArchiveError } from '../errors';
import { OWNER_ROLE } from '../migrations/apply';
import type { TenantMigration } from '../migrations/folder';
import { execFormatted } from '../setup/roles';
import { quoteIdent, searchPath } from '../sql/ident';
import { COPY_SETTINGS, type ArchiveManifest } from './manifest';
import { forEachTable } from './read';
import { applyCopySettings, copyOutSql, TENANT_COLUMN, tableShape } from './table-shape';

export interface LoadTarget {
  tenantId: string;
  /** Schema of the tenant tables on the client's database. */
  schema: string;
  /** The deployment's tenant tables, children first. */
  tables: readonly string[];
  migrations: readonly TenantMigration[];
}

/**
 * Loads an archive's rows into a tenant's placement. Runs inside the caller's owner transaction,
 * which carries the target tenant's maintenance context, so the rows go in through row-level
 * security like any write of that tenant: every row must pass the tenant policy's check.
 *
 * The rows are first copied into a scratch schema built by the migrations up to the archive's
 * version, then the newer migrations run there (an older archive is migrated on the way in, data
 * changes included), then they are inserted into the tenant's tables. The scratch schema lives
 * and dies inside the transaction: a failure or a crash leaves nothing behind.
 */
export async function loadArchive(client: pg.ClientBase, file: string, manifest: ArchiveManifest, target: LoadTarget): Promise<void> {
  const scratch = `tenancy_import_${target.tenantId.replaceAll('-', '')}`;
  const { older, newer } = splitMigrations(file, manifest, target.migrations);
  await applyCopySettings(client, COPY_SETTINGS);
  // The owner role may not create schemas in the deployment's database; the login can, for it.
  await client.query('SET LOCAL ROLE NONE');
  await execFormatted(client, 'CREATE SCHEMA %I AUTHORIZATION %I', [scratch, OWNER_ROLE]);
  await execFormatted(client, 'SET LOCAL ROLE %I', [OWNER_ROLE]);
  await client.query('SELECT set_config($1, $2, true)', ['search_path', searchPath(scratch, 'tenancy', 'pg_catalog')]);
  for (const migration of older) for (const statement of migration.statements) await client.query(statement);
  for (const table of manifest.tables) await openScratchTable(client, file, scratch, table.name, target.tenantId);
  await forEachTable(file, manifest, async (table, rows) => {
    const list = table.columns.map(quoteIdent).join(', ');
    await pipeline(rows, client.query(copyFrom(`COPY ${quoteIdent(scratch)}.${quoteIdent(table.name)} (${list}) FROM STDIN`)));
  });
  for (const migration of newer) for (const statement of migration.statements) await client.query(statement);
  for (const table of [...target.tables].reverse()) await insertFromScratch(client, scratch, target, table);
  await client.query(`DROP SCHEMA ${quoteIdent(scratch)} CASCADE`);
  await client.query('SELECT set_config($1, $2, true)', ['search_path', searchPath(target.schema, 'tenancy', 'pg_catalog')]);
}

/** The migrations that built the archive's tables, and those it still needs. An unknown version is a newer or foreign archive. */
function splitMigrations(file: string, manifest: ArchiveManifest, migrations: readonly TenantMigration[]) {
  if (manifest.schemaVersion === null) return { older: [], newer: [...migrations] };
  const at = migrations.findIndex((m) => m.tag === manifest.schemaVersion);
  if (at === -1) {
    throw new ArchiveError(
      file,
      `it was written at schema version ${manifest.schemaVersion}, which this deployment's migrations do not have (newest: ${migrations.at(-1)?.tag ?? 'none'}): restore it with a deployment at that version or newer`,
    );
  }
  return { older: migrations.slice(0, at + 1), newer: migrations.slice(at + 1) };
}

/** A scratch table takes the rows as they are: no row-level security, and the target tenant as every row's tenant. */
async function openScratchTable(client: pg.ClientBase, file: string, scratch: string, table: string, tenantId: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2', [
    `${quoteIdent(scratch)}.${quoteIdent(table)}`,
    TENANT_COLUMN,
  ]);
  if (!rowCount) throw new ArchiveError(file, `table ${table} has no ${TENANT_COLUMN} column at the archive's schema version`);
  await execFormatted(client, 'ALTER TABLE %I.%I NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY, ALTER COLUMN %I SET DEFAULT %L::uuid', [
    scratch,
    table,
    TENANT_COLUMN,
    tenantId,
  ]);
}

async function insertFromScratch(client: pg.ClientBase, scratch: string, target: LoadTarget, table: string): Promise<void> {
  const present = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`${quoteIdent(scratch)}.${quoteIdent(table)}`]);
  if (!present.rows[0].present) return;
  const into = (await tableShape(client, target.schema, table)).columns;
  const from = new Set((await tableShape(client, scratch, table)).columns);
  const columns = into.filter((column) => from.has(column)).map(quoteIdent);
  await client.query(
    `INSERT INTO ${quoteIdent(target.schema)}.${quoteIdent(table)} (${[quoteIdent(TENANT_COLUMN), ...columns].join(', ')})
     SELECT $1::uuid, ${columns.join(', ')} FROM ${quoteIdent(scratch)}.${quoteIdent(table)}`,
    [target.tenantId],
  );
}

/** Row counts of the tenant's tables, as the client's context sees them. */
export async function countRows(client: pg.ClientBase, schema: string, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`)).rows[0]!.n;
  }
  return counts;
}

/** sha256 of a table's rows as an archive of them would hold them: the same columns, order and settings. */
export async function tableChecksum(client: pg.ClientBase, schema: string, table: string, columns: readonly string[]): Promise<string> {
  await applyCopySettings(client, COPY_SETTINGS);
  const { orderBy } = await tableShape(client, schema, table);
  const hash = createHash('sha256');
  for await (const chunk of client.query(copyTo(copyOutSql(schema, table, columns, orderBy))) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Checks, inside the load's transaction, that the tenant now holds exactly the archive's rows: the
 * counts always, and the checksums too when no migration ran on the way in (a migration may
 * rightly change the rows).
 */
export async function verifyLoaded(client: pg.ClientBase, file: string, manifest: ArchiveManifest, schema: string, migrated: boolean): Promise<void> {
  const counts = await countRows(
    client,
    schema,
    manifest.tables.map((t) => t.name),
  );
  for (const table of manifest.tables) {
    if (counts[table.name] !== table.rows)
      throw new ArchiveError(file, `table ${table.name} holds ${counts[table.name]} rows after the load, not ${table.rows}`);
    if (migrated) continue;
    if ((await tableChecksum(client, schema, table.name, table.columns)) !== table.sha256) {
      throw new ArchiveError(file, `table ${table.name}'s rows differ from the archive's after the load (checksum mismatch)`);
    }
  }
}
