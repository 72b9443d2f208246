'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { UserFacingError } from '@/server/errors';
import { listMembers } from '@/server/queries/members';
import { createTask, deleteTask, updateTask } from '@/server/queries/tasks';
import { withTenantControlPlane } from '@/server/tenant-data';

import { idInput, newTaskInput, taskAssigneeInput, taskStatusInput, taskUpdateInput } from '../schemas';

/**
 * Assignees are members of the tenant, and members live in the control plane: checked there before the tenant
 * transaction opens (tasks.assignee_id cannot reference users: a database tenant's tables are elsewhere).
 */
async function assertAssignable(input: { assigneeId: string | null }, slug: string): Promise<void> {
  if (input.assigneeId === null) return;
  const members = await withTenantControlPlane(slug, (tx) => listMembers(tx));
  if (!members.some((member) => member.userId === input.assigneeId)) {
    throw new UserFacingError('not-found', 'That person is not a member of this workspace.');
  }
}

const paths = (projectId: string, taskId?: string) => ['/projects', `/projects/${projectId}`, ...(taskId ? [`/projects/${projectId}/tasks/${taskId}`] : [])];

export const createTaskAction = validatedAction(
  'tasks.create',
  newTaskInput,
  async (input, tx) => {
    await createTask(tx, input);
    return { message: 'Task added.', revalidate: paths(input.projectId) };
  },
  { precheck: assertAssignable },
);

export const setTaskStatusAction = validatedAction('tasks.status', taskStatusInput, async (input, tx) => {
  await updateTask(tx, input.taskId, { status: input.status });
  return { revalidate: paths(input.projectId, input.taskId) };
});

export const assignTaskAction = validatedAction(
  'tasks.assign',
  taskAssigneeInput,
  async (input, tx) => {
    await updateTask(tx, input.taskId, { assigneeId: input.assigneeId });
    return { revalidate: paths(input.projectId, input.taskId) };
  },
  { precheck: assertAssignable },
);

export const updateTaskAction = validatedAction(
  'tasks.update',
  taskUpdateInput,
  async (input, tx) => {
    const { title, status, assigneeId, dueDate } = input;
    await updateTask(tx, input.taskId, { title, status, assigneeId, dueDate });
    return { message: 'Task saved.', revalidate: paths(input.projectId, input.taskId) };
  },
  { precheck: assertAssignable },
);

export const deleteTaskAction = validatedAction('tasks.delete', z.object({ projectId: idInput, taskId: idInput }), async (input, tx) => {
  await deleteTask(tx, input.taskId);
  return { revalidate: paths(input.projectId), redirectTo: `/projects/${input.projectId}` };
});
