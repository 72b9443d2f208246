import 'server-only';

import { comments, tasks, type TaskStatus } from '@repo/db/schema';
import { and, asc, count, eq, sql } from 'drizzle-orm';

import type { TenantTx } from '../tenant-data';
import { isUuid, unchangedReason } from './rows';

export interface TaskRow {
  id: string;
  projectId: string;
  title: string;
  status: TaskStatus;
  assigneeId: string | null;
  /** YYYY-MM-DD */
  dueDate: string | null;
  createdBy: string | null;
  createdAt: Date;
  commentCount: number;
}

const taskColumns = {
  id: tasks.id,
  projectId: tasks.projectId,
  title: tasks.title,
  status: tasks.status,
  assigneeId: tasks.assigneeId,
  dueDate: tasks.dueDate,
  createdBy: tasks.createdBy,
  createdAt: tasks.createdAt,
};

/** A project's tasks, oldest first, with their comment counts. */
export async function listTasks(tx: TenantTx, projectId: string): Promise<TaskRow[]> {
  if (!isUuid(projectId)) return [];
  const counts = tx.db
    .select({ taskId: comments.taskId, total: count().as('total') })
    .from(comments)
    .groupBy(comments.taskId)
    .as('counts');
  const rows = await tx.db
    .select({ ...taskColumns, commentCount: counts.total })
    .from(tasks)
    .leftJoin(counts, eq(counts.taskId, tasks.id))
    .where(eq(tasks.projectId, projectId))
    .orderBy(asc(tasks.createdAt), asc(tasks.id));
  return rows.map((row) => ({ ...row, commentCount: Number(row.commentCount ?? 0) }));
}

export async function getTask(tx: TenantTx, projectId: string, taskId: string): Promise<Omit<TaskRow, 'commentCount'> | null> {
  if (!isUuid(projectId) || !isUuid(taskId)) return null;
  const [row] = await tx.db
    .select(taskColumns)
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.projectId, projectId)));
  return row ?? null;
}

export interface NewTaskInput {
  projectId: string;
  title: string;
  assigneeId: string | null;
  dueDate: string | null;
}

export async function createTask(tx: TenantTx, input: NewTaskInput): Promise<string> {
  // The foreign key is (tenant_id, project_id): a project id of another tenant fails with 23503, never links.
  const [row] = await tx.db.insert(tasks).values(input).returning({ id: tasks.id });
  return row!.id;
}

export interface TaskChange {
  title?: string;
  status?: TaskStatus;
  assigneeId?: string | null;
  dueDate?: string | null;
}

export async function updateTask(tx: TenantTx, id: string, change: TaskChange): Promise<void> {
  const changed = await tx.db
    .update(tasks)
    .set({ ...change, updatedAt: sql`now()` })
    .where(eq(tasks.id, id))
    .returning({ id: tasks.id });
  if (changed.length === 0) throw await unchangedReason(tx, 'tasks', id, 'task');
}

export async function deleteTask(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx.db.delete(tasks).where(eq(tasks.id, id)).returning({ id: tasks.id });
  if (deleted.length === 0) throw await unchangedReason(tx, 'tasks', id, 'task');
}
