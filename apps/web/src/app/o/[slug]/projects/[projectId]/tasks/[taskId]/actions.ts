'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { addComment, deleteComment } from '@/server/queries/comments';

import { commentInput, idInput } from '../../../schemas';

const taskPath = (input: { projectId: string; taskId: string }) => `/projects/${input.projectId}/tasks/${input.taskId}`;

export const addCommentAction = validatedAction('comments.create', commentInput, async (input, tx) => {
  // The foreign key is (tenant_id, task_id): a task id of another tenant is refused (23503), never linked.
  await addComment(tx, { taskId: input.taskId, body: input.body });
  return { revalidate: [taskPath(input), `/projects/${input.projectId}`] };
});

export const deleteCommentAction = validatedAction(
  'comments.delete',
  z.object({ projectId: idInput, taskId: idInput, commentId: idInput }),
  async (input, tx) => {
    await deleteComment(tx, input.commentId);
    return { revalidate: [taskPath(input), `/projects/${input.projectId}`] };
  },
);
