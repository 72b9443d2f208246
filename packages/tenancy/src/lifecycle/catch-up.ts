import type pg from 'pg';
import type { ArchiveManifest } from '../archive/manifest';
import { COPY_SETTINGS } from '../archive/manifest';
import { applyCopySettings, TENANT_COLUMN, tableShape } from '../archive/table-shape';
import type { Tenant } from '../catalog/types';
import { quoteIdent } from '../sql/ident';
import type { OwnerTransactionOptions } from '../strategies/types';

type InPlacement = <T>(tenant: Tenant, fn: (client: pg.ClientBase) => Promise<T>, options?: OwnerTransactionOptions) => Promise<T>;

interface TableDelta {
  table: string;
  columns: string[];
  keys: string[];
  /** Primary keys (as row text) of rows the source has and the copy lacks, or holds otherwise. */
  insert: string[];
  update: string[];
  remove: string[];
}

/** Each row's primary key and a hash of the whole row, in the fixed settings, so two databases agree on both. */
async function rowHashes(
  client: pg.ClientBase,
  schema: string,
  table: string,
  columns: readonly string[],
  keys: readonly string[],
): Promise<Map<string, string>> {
  await applyCopySettings(client, COPY_SETTINGS);
  const { rows } = await client.query<{ k: string; h: string }>(
    `SELECT ROW(${keys.map(quoteIdent).join(', ')})::text AS k, md5(ROW(${columns.map(quoteIdent).join(', ')})::text) AS h
       FROM ${quoteIdent(schema)}.${quoteIdent(table)}`,
  );
  return new Map(rows.map((r) => [r.k, r.h]));
}

/**
 * Carries over what changed in the source since the copy was made, row by row: under the pause, when
 * nothing writes to the source, this is a few rows' work instead of a new copy of the whole tenant.
 * Rows are compared by primary key and a hash of the row; the caller checks the result against the
 * source's checksums and copies everything again if they differ (a table without a primary key, or a
 * change the foreign keys cascade differently, is caught there). Returns the rows changed.
 */
export async function catchUp(inPlacement: InPlacement, source: Tenant, target: Tenant, manifest: ArchiveManifest): Promise<number> {
  const deltas = await inPlacement(
    source,
    async (client) => {
      const out: TableDelta[] = [];
      for (const { name, columns } of manifest.tables) {
        const keys = (await tableShape(client, source.schemaName, name)).orderBy;
        out.push({ table: name, columns, keys, insert: [], update: [], remove: [] });
      }
      return out;
    },
    { snapshot: true },
  );
  const sourceHashes = await inPlacement(source, (client) => hashesOf(client, source, deltas), { snapshot: true });
  const targetHashes = await inPlacement(target, (client) => hashesOf(client, target, deltas));
  let changed = 0;
  for (const [i, delta] of deltas.entries()) {
    const [from, to] = [sourceHashes[i]!, targetHashes[i]!];
    for (const [key, hash] of from) {
      const there = to.get(key);
      if (there === undefined) delta.insert.push(key);
      else if (there !== hash) delta.update.push(key);
    }
    for (const key of to.keys()) if (!from.has(key)) delta.remove.push(key);
    changed += delta.insert.length + delta.update.length + delta.remove.length;
  }
  if (changed === 0) return 0;
  const rows = await inPlacement(source, (client) => changedRows(client, source, deltas), { snapshot: true });
  await inPlacement(target, (client) => apply(client, target, deltas, rows));
  return changed;
}

async function hashesOf(client: pg.ClientBase, tenant: Tenant, deltas: readonly TableDelta[]): Promise<Map<string, string>[]> {
  const out: Map<string, string>[] = [];
  for (const delta of deltas) out.push(await rowHashes(client, tenant.schemaName, delta.table, delta.columns, delta.keys));
  return out;
}

/** The source's rows to insert or update, per table, as JSON: json_populate_recordset turns them back into the target's row type. */
async function changedRows(client: pg.ClientBase, source: Tenant, deltas: readonly TableDelta[]): Promise<string[]> {
  await applyCopySettings(client, COPY_SETTINGS);
  const out: string[] = [];
  for (const delta of deltas) {
    const wanted = [...delta.insert, ...delta.update];
    const { rows } = await client.query<{ rows: string | null }>(
      `SELECT json_agg(r)::text AS rows FROM (SELECT ${delta.columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(source.schemaName)}.${quoteIdent(delta.table)}
        WHERE ROW(${delta.keys.map(quoteIdent).join(', ')})::text = ANY($1::text[])) r`,
      [wanted],
    );
    out.push(rows[0]?.rows ?? '[]');
  }
  return out;
}

/**
 * Inserts (parents first), updates, then deletes (children first): a child moved to a new parent finds
 * it, and a parent goes only after its children have left it.
 */
async function apply(client: pg.ClientBase, target: Tenant, deltas: readonly TableDelta[], rows: readonly string[]): Promise<void> {
  await applyCopySettings(client, COPY_SETTINGS);
  const at = (delta: TableDelta) => `${quoteIdent(target.schemaName)}.${quoteIdent(delta.table)}`;
  const keyText = (alias: string, delta: TableDelta) => `ROW(${delta.keys.map((k) => `${alias}.${quoteIdent(k)}`).join(', ')})::text`;
  for (const [i, delta] of deltas.entries()) {
    if (delta.insert.length === 0) continue;
    const list = delta.columns.map(quoteIdent).join(', ');
    await client.query(
      `INSERT INTO ${at(delta)} (${quoteIdent(TENANT_COLUMN)}, ${list})
       SELECT $3::uuid, ${delta.columns.map((c) => `j.${quoteIdent(c)}`).join(', ')} FROM json_populate_recordset(NULL::${at(delta)}, $1::json) j
        WHERE ${keyText('j', delta)} = ANY($2::text[])`,
      [rows[i], delta.insert, target.id],
    );
  }
  for (const [i, delta] of deltas.entries()) {
    if (delta.update.length === 0) continue;
    const settable = delta.columns.filter((c) => !delta.keys.includes(c));
    if (settable.length === 0) continue;
    await client.query(
      `UPDATE ${at(delta)} t SET (${settable.map(quoteIdent).join(', ')}) = ROW(${settable.map((c) => `j.${quoteIdent(c)}`).join(', ')})
         FROM json_populate_recordset(NULL::${at(delta)}, $1::json) j
        WHERE ${keyText('t', delta)} = ${keyText('j', delta)} AND ${keyText('j', delta)} = ANY($2::text[])`,
      [rows[i], delta.update],
    );
  }
  for (const delta of [...deltas].reverse()) {
    if (delta.remove.length === 0) continue;
    await client.query(`DELETE FROM ${at(delta)} t WHERE ${keyText('t', delta)} = ANY($1::text[])`, [delta.remove]);
  }
}
