import type pg from 'pg';
import { quoteIdent } from '../sql/ident';

export const TENANT_COLUMN = 'tenant_id';

export interface TableShape {
  /** Stored columns in table order, without tenant_id: an archive's rows belong to whichever tenant loads them. */
  columns: string[];
  /** What rows are ordered by, so the same rows always give the same bytes: the primary key, else every column. */
  orderBy: string[];
}

/** Reads a tenant table's columns and primary key from the catalog of the connection's database. */
export async function tableShape(client: pg.ClientBase, schema: string, table: string): Promise<TableShape> {
  const { rows } = await client.query<{ name: string; pk_position: number | null }>(
    `SELECT a.attname AS name, array_position(i.indkey::int2[], a.attnum) AS pk_position
       FROM pg_catalog.pg_attribute a
       LEFT JOIN pg_catalog.pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [`${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  if (rows.length === 0) throw new Error(`Table ${schema}.${table} does not exist`);
  const columns = rows.map((r) => r.name).filter((name) => name !== TENANT_COLUMN);
  const keyed = rows.filter((r) => r.pk_position !== null).sort((a, b) => a.pk_position! - b.pk_position!);
  return { columns, orderBy: (keyed.length > 0 ? keyed.map((r) => r.name) : columns).filter((name) => name !== TENANT_COLUMN) };
}

/** The rows of one table as COPY writes them: the given columns, in a fixed order. */
export function copyOutSql(schema: string, table: string, columns: readonly string[], orderBy: readonly string[]): string {
  const list = columns.map(quoteIdent).join(', ');
  const order = orderBy.length > 0 ? ` ORDER BY ${orderBy.map(quoteIdent).join(', ')}` : '';
  return `COPY (SELECT ${list} FROM ${quoteIdent(schema)}.${quoteIdent(table)}${order}) TO STDOUT`;
}

/** The fixed COPY settings, transaction-local, in one statement. */
export async function applyCopySettings(client: pg.ClientBase, settings: Record<string, string>): Promise<void> {
  const names = Object.keys(settings);
  const calls = names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
  await client.query(
    `SELECT ${calls}`,
    names.flatMap((name) => [name, settings[name]!]),
  );
}
