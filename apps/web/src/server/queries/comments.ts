import 'server-only';

import { comments } from '@repo/db/schema';
import { asc, eq } from 'drizzle-orm';

import type { TenantTx } from '../tenant-data';
import { isUuid, unchangedReason } from './rows';

export interface CommentRow {
  id: string;
  body: string;
  createdBy: string | null;
  createdAt: Date;
}

export async function listComments(tx: TenantTx, taskId: string): Promise<CommentRow[]> {
  if (!isUuid(taskId)) return [];
  return tx.db
    .select({ id: comments.id, body: comments.body, createdBy: comments.createdBy, createdAt: comments.createdAt })
    .from(comments)
    .where(eq(comments.taskId, taskId))
    .orderBy(asc(comments.createdAt), asc(comments.id));
}

export async function addComment(tx: TenantTx, input: { taskId: string; body: string }): Promise<string> {
  const [row] = await tx.db.insert(comments).values(input).returning({ id: comments.id });
  return row!.id;
}

export async function deleteComment(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx.db.delete(comments).where(eq(comments.id, id)).returning({ id: comments.id });
  if (deleted.length === 0) throw await unchangedReason(tx, 'comments', id, 'comment');
}
