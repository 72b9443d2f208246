import 'server-only';

import type { TenantTx } from '../tenant-data';
import { decodeCursor, encodeCursor } from './cursor';
import { isUuid } from './rows';

// The JSON API's tasks: a project's tasks oldest first, a page at a time by keyset (created_at, id), and one task, with
// every column the API answers. As everywhere here, no statement names a tenant: the policies filter by the context.

export interface TaskRecord {
  id: string;
  projectId: string;
  title: string;
  status: 'todo' | 'doing' | 'done';
  assigneeId: string | null;
  /** YYYY-MM-DD */
  dueDate: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `t.id, t.project_id AS "projectId", t.title, t.status, t.assignee_id AS "assigneeId", to_char(t.due_date, 'YYYY-MM-DD') AS "dueDate",
  t.created_by AS "createdBy", t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdKey"`;

const SORT = 'task-oldest';
const CREATED_KEY_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export class InvalidTaskCursorError extends Error {
  override readonly name = 'InvalidTaskCursorError';
  constructor() {
    super('The cursor is not one of this list: start again from the first page.');
  }
}

const strip = ({ createdKey: _key, ...task }: TaskRecord & { createdKey: string }): TaskRecord => task;

/** One page of the project's tasks; `next` is null on the last page. */
export async function taskPage(
  tx: TenantTx,
  projectId: string,
  page: { cursor: string | undefined; limit: number },
): Promise<{ items: TaskRecord[]; next: string | null }> {
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  if (cursor === null || (cursor && (cursor.sort !== SORT || cursor.dir !== 'after' || !CREATED_KEY_FORMAT.test(cursor.key))))
    throw new InvalidTaskCursorError();
  const values: unknown[] = [projectId, page.limit + 1];
  const after = cursor ? `AND (t.created_at, t.id) > ($3::timestamptz, $4::uuid)` : '';
  if (cursor) values.push(cursor.key, cursor.id);
  const { rows } = await tx.query<TaskRecord & { createdKey: string }>(
    `SELECT ${COLUMNS} FROM tasks t WHERE t.project_id = $1 ${after} ORDER BY t.created_at, t.id LIMIT $2`,
    values,
  );
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items.map(strip), next: more && last ? encodeCursor({ sort: SORT, dir: 'after', key: last.createdKey, id: last.id }) : null };
}

/** One task of the project, or null: another organisation's id finds nothing, exactly like a missing one. */
export async function taskRecord(tx: TenantTx, projectId: string, taskId: string): Promise<TaskRecord | null> {
  if (!isUuid(projectId) || !isUuid(taskId)) return null;
  const { rows } = await tx.query<TaskRecord & { createdKey: string }>(`SELECT ${COLUMNS} FROM tasks t WHERE t.id = $1 AND t.project_id = $2`, [
    taskId,
    projectId,
  ]);
  return rows[0] ? strip(rows[0]) : null;
}
