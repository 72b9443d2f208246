import 'server-only';

import { getProject } from '../queries/projects';
import { InvalidTaskCursorError, taskPage, taskRecord, type TaskRecord } from '../queries/task-page';
import { createTask, deleteTask, updateTask } from '../queries/tasks';
import type { TenantTx } from '../tenant-data';
import { ApiNotFoundError, apiRoute, InvalidCursorRequestError } from './handler';
import { OPERATIONS } from './operations';
import type { TaskJson } from './schemas';

// /api/v1/projects/{projectId}/tasks and /api/v1/projects/{projectId}/tasks/{taskId}. A task is found only under its
// own project, and the project only in the key's organisation: any other id is a 404 that says nothing more.

const toTaskJson = (row: TaskRecord): TaskJson => ({
  ...row,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

async function projectOf(tx: TenantTx, projectId: string): Promise<void> {
  if (!(await getProject(tx, projectId))) throw new ApiNotFoundError('project');
}

async function existing(tx: TenantTx, projectId: string, taskId: string): Promise<TaskRecord> {
  const task = await taskRecord(tx, projectId, taskId);
  if (!task) throw new ApiNotFoundError('task');
  return task;
}

export const listTasksRoute = apiRoute(OPERATIONS.listTasks, async ({ params, query }, tx) => {
  await projectOf(tx, params.projectId);
  try {
    const page = await taskPage(tx, params.projectId, { cursor: query.cursor, limit: query.limit });
    return { data: page.items.map(toTaskJson), nextCursor: page.next };
  } catch (error) {
    if (error instanceof InvalidTaskCursorError) throw new InvalidCursorRequestError(error.message);
    throw error;
  }
});

export const createTaskRoute = apiRoute(OPERATIONS.createTask, async ({ params, body }, tx) => {
  await projectOf(tx, params.projectId);
  const id = await createTask(tx, { projectId: params.projectId, title: body.title, assigneeId: body.assigneeId, dueDate: body.dueDate });
  if (body.status !== 'todo') await updateTask(tx, id, { status: body.status });
  return toTaskJson(await existing(tx, params.projectId, id));
});

export const getTaskRoute = apiRoute(OPERATIONS.getTask, async ({ params }, tx) => toTaskJson(await existing(tx, params.projectId, params.taskId)));

export const updateTaskRoute = apiRoute(OPERATIONS.updateTask, async ({ params, body }, tx) => {
  await existing(tx, params.projectId, params.taskId);
  await updateTask(tx, params.taskId, body);
  return toTaskJson(await existing(tx, params.projectId, params.taskId));
});

export const deleteTaskRoute = apiRoute(OPERATIONS.deleteTask, async ({ params }, tx) => {
  await existing(tx, params.projectId, params.taskId);
  await deleteTask(tx, params.taskId);
});
