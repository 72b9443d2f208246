import 'server-only';

import type pg from 'pg';

import type { ProjectListQuery, ProjectSort } from '@/lib/project-list-query';

import type { TenantQuery } from '../tenant-data';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';

// One page of a tenant's projects, for the projects page and GET /api/projects: keyset pagination, a name search
// and a choice of order, with a real count, in ONE statement (one round trip through tenancy.queryAs, and one
// snapshot, so the count and the page agree).
//
// The orders use the newest-first index (tenant_id, created_at DESC) with id as the tie-breaker: rows created in
// one transaction share created_at to the microsecond. A page after a cursor asks for `(created_at, id) < (key, id)`,
// which PostgreSQL reads from that index as `created_at <= key` (the row comparison's prefix) and then checks the id.
// The name order sorts the tenant's matching rows (there is no name index: a name search cannot use one anyway).
// As everywhere in this app, no statement names a tenant: the policies filter every table by the signed context.

interface Order {
  /** The sort key column, and how the page compares it. */
  column: 'created_at' | 'name';
  cast: 'timestamptz' | 'text';
  direction: 'ASC' | 'DESC';
}

const ORDERS: Record<ProjectSort, Order> = {
  newest: { column: 'created_at', cast: 'timestamptz', direction: 'DESC' },
  oldest: { column: 'created_at', cast: 'timestamptz', direction: 'ASC' },
  name: { column: 'name', cast: 'text', direction: 'ASC' },
};

/** created_at as text to the microsecond (a JavaScript Date keeps milliseconds: a cursor made from one would skip rows). */
const CREATED_KEY = `to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const CREATED_KEY_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export interface ProjectRow {
  id: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of the statement: the page's columns, null on the one row of an empty page, and the counts. */
export type PageRow = ProjectRow & { total: number; preceding: number | string; createdKey: string | null; taskCount?: number; openCount?: number };

export interface ProjectPage<T> {
  items: T[];
  /** Every project that matches the search (all of them without one). */
  total: number;
  /** Position of the first and last item in the whole list, from 1; `from` > `to` when the page is empty. */
  from: number;
  to: number;
  /** The cursors of the neighbouring pages, or null at either end. */
  next: string | null;
  prev: string | null;
}

export interface PageStatement {
  text: string;
  values: unknown[];
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('The cursor is not one of this list (a different order, or not a cursor): start again from the first page.');
  }
}

/** The cursor of `query`, checked against its order; undefined on a first page. */
function cursorOf(query: ProjectListQuery): Cursor | undefined {
  if (!query.cursor) return undefined;
  const cursor = decodeCursor(query.cursor);
  const valid = cursor !== null && cursor.sort === query.sort && (ORDERS[query.sort].column === 'name' || CREATED_KEY_FORMAT.test(cursor.key));
  if (!valid) throw new InvalidCursorError();
  return cursor;
}

/** `%`, `_` and `\` typed in a search are text, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The statement for one page. Throws InvalidCursorError for a cursor that does not belong to the query's order.
 * `taskCounts` adds each project's task counts (the projects page).
 */
export function projectPageStatement(query: ProjectListQuery, options: { taskCounts: boolean }): PageStatement {
  const order = ORDERS[query.sort];
  const cursor = cursorOf(query);
  const values: unknown[] = [];
  const param = (value: unknown, cast?: string) => {
    values.push(value);
    return cast ? `$${values.length}::${cast}` : `$${values.length}`;
  };

  const matches: string[] = [];
  if (query.q !== undefined) matches.push(`x.name ILIKE ${param(likePattern(query.q))} ESCAPE '\\'`);

  // "Before" a row in list order is `>` for a descending order and `<` for an ascending one.
  const before = order.direction === 'DESC' ? '>' : '<';
  const after = order.direction === 'DESC' ? '<' : '>';
  const key = cursor ? `(${param(cursor.key, order.cast)}, ${param(cursor.id, 'uuid')})` : '';
  const row = `(x.${order.column}, x.id)`;
  const where = (extra?: string) => {
    const all = extra ? [...matches, extra] : matches;
    return all.length ? `WHERE ${all.join(' AND ')}` : '';
  };

  // The page itself: the rows after the cursor in list order, or (dir `before`) the rows just before it, read
  // backwards from the cursor and put back in list order by the outer ORDER BY. How many rows precede the page: none
  // on a first page; after a cursor, the rows up to and including the cursor's row; before a cursor, the rows before
  // the cursor's row less the page itself (a window count over the page's rows).
  let page: string;
  let preceding: string;
  const limit = param(query.limit, 'int');
  const reverse = order.direction === 'DESC' ? 'ASC' : 'DESC';
  if (!cursor) {
    page = `${where()} ORDER BY x.${order.column} ${order.direction}, x.id ${order.direction} LIMIT ${limit}`;
    preceding = '0';
  } else if (cursor.dir === 'after') {
    page = `${where(`${row} ${after} ${key}`)} ORDER BY x.${order.column} ${order.direction}, x.id ${order.direction} LIMIT ${limit}`;
    preceding = `(SELECT count(*) FROM projects x ${where(`${row} ${before}= ${key}`)})::int`;
  } else {
    page = `${where(`${row} ${before} ${key}`)} ORDER BY x.${order.column} ${reverse}, x.id ${reverse} LIMIT ${limit}`;
    preceding = `(SELECT count(*) FROM projects x ${where(`${row} ${before} ${key}`)})::int - count(p.id) OVER ()`;
  }
  // Task counts of the page's projects only, each from the (tenant_id, project_id) index.
  const counts = options.taskCounts ? `, tc."taskCount", tc."openCount"` : '';
  const countJoin = options.taskCounts
    ? `LEFT JOIN LATERAL (SELECT count(*)::int AS "taskCount", (count(*) FILTER (WHERE t.status <> 'done'))::int AS "openCount"
                            FROM tasks t WHERE t.project_id = p.id) tc ON true`
    : '';
  const text = `SELECT c.total, ${preceding} AS preceding, p.id, p.name, p.description, p."createdBy", p."createdAt", p."updatedAt", p."createdKey"${counts}
  FROM (SELECT (SELECT count(*) FROM projects x ${where()})::int AS total) c
  LEFT JOIN LATERAL (
    SELECT x.id, x.name, x.description, x.created_by AS "createdBy", x.created_at AS "createdAt", x.updated_at AS "updatedAt", ${CREATED_KEY} AS "createdKey"
      FROM projects x ${page}
  ) p ON true
  ${countJoin}
 ORDER BY p."${order.column === 'name' ? 'name' : 'createdAt'}" ${order.direction}, p.id ${order.direction}`;
  return { text, values };
}

/** The page in the statement's rows; `item` picks what each row becomes. */
export function readProjectPage<T>(query: ProjectListQuery, rows: PageRow[], item: (row: PageRow) => T): ProjectPage<T> {
  const total = rows[0]?.total ?? 0;
  const found = rows.filter((row) => row.id !== null);
  // On an empty page after a cursor the window count is null; nothing precedes past the end but the whole list.
  const preceding = found.length ? Math.max(0, Number(rows[0]!.preceding)) : query.cursor ? total : 0;
  const order = ORDERS[query.sort];
  const cursorAt = (row: PageRow, dir: Cursor['dir']) =>
    encodeCursor({ sort: query.sort, dir, key: order.column === 'name' ? row.name : row.createdKey!, id: row.id });
  const first = found[0];
  const last = found.at(-1);
  return {
    items: found.map(item),
    total,
    from: preceding + 1,
    to: preceding + found.length,
    prev: first && preceding > 0 ? cursorAt(first, 'before') : null,
    next: last && preceding + found.length < total ? cursorAt(last, 'after') : null,
  };
}

/** One page of projects as the session's tenant, in one statement (pass tenantStatement, or a TenantTx). */
export async function projectPage<T>(
  db: TenantQuery,
  query: ProjectListQuery,
  options: { taskCounts: boolean },
  item: (row: PageRow) => T,
): Promise<ProjectPage<T>> {
  const statement = projectPageStatement(query, options);
  const { rows } = await db.query<PageRow & pg.QueryResultRow>(statement.text, statement.values);
  return readProjectPage(query, rows, item);
}
