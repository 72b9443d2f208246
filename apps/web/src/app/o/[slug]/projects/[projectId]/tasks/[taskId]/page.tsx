import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';

import { StatusBadge } from '@/components/badges';
import { ConfirmForm } from '@/components/confirm-form';
import { EmptyState } from '@/components/empty-state';
import { OtherWorkspace } from '@/components/other-workspace';
import { formatDate, formatDateTime, isOverdue } from '@/components/format';
import { initials } from '@/components/initials';
import { RoleHint } from '@/components/role-hint';
import { TableSkeleton } from '@/components/skeletons';
import { orgPath } from '@/lib/org-path';
import { canChange } from '@/lib/permissions';
import { listComments } from '@/server/queries/comments';
import { listMembers, type Member } from '@/server/queries/members';
import { getProject } from '@/server/queries/projects';
import { getTask } from '@/server/queries/tasks';
import { requireOrgSession, type TenantSession } from '@/server/session';
import { findInOtherWorkspace, withTenantControlPlane, withTenantSession } from '@/server/tenant-data';

import { deleteTaskAction } from '../../actions';
import { deleteCommentAction } from './actions';
import { CommentForm } from './comment-form';
import { TaskForm } from './task-form';

export const metadata: Metadata = { title: 'Task' };

type Params = { params: Promise<{ slug: string; projectId: string; taskId: string }> };

export default async function TaskPage({ params }: Params) {
  const { slug, projectId, taskId } = await params;
  // Before anything streams: a task of another tenant (or project) answers 404.
  const [found, members] = await Promise.all([
    withTenantSession(slug, async (tx, session) => {
      const task = await getTask(tx, projectId, taskId);
      return task ? { task, project: await getProject(tx, projectId), session } : null;
    }),
    withTenantControlPlane(slug, (tx) => listMembers(tx)),
  ]);
  if (!found?.project) {
    // In another of the user's own workspaces? Then link to it there; for anyone else it stays the 404.
    const elsewhere = await findInOtherWorkspace(slug, async (tx) => (await getTask(tx, projectId, taskId)) !== null);
    if (!elsewhere) notFound();
    const session = await requireOrgSession(slug);
    return (
      <OtherWorkspace
        what="task"
        workspace={{ name: elsewhere.tenantName, href: orgPath(elsewhere.tenantSlug, `/projects/${projectId}/tasks/${taskId}`) }}
        current={{ name: session.active.tenantName, href: orgPath(session.slug, '/projects') }}
      />
    );
  }
  const { task, project, session } = found;
  const actor = { userId: session.user.id, role: session.role };
  const editable = canChange(actor, task.createdBy);
  const names = new Map(members.map((member) => [member.userId, member.name]));
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href={orgPath(session.slug, '/projects')}>Projects</Link>
        <span aria-hidden="true">/</span>
        <Link href={orgPath(session.slug, `/projects/${project.id}`)}>{project.name}</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{task.title}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1>{task.title}</h1>
          <p>
            <StatusBadge status={task.status} /> · Created {formatDate(task.createdAt)} by {(task.createdBy && names.get(task.createdBy)) ?? 'a former member'}
          </p>
        </div>
        {editable && (
          <ConfirmForm
            action={deleteTaskAction}
            fields={{ projectId: project.id, taskId: task.id }}
            confirm={`Delete the task “${task.title}” and its comments?`}
            pendingLabel="Deleting…"
          >
            Delete task
          </ConfirmForm>
        )}
      </div>

      {editable ? (
        <TaskForm task={task} members={members.map((member) => ({ id: member.userId, name: member.name }))} />
      ) : (
        <div className="panel panel-body">
          <dl className="details" style={{ margin: 0 }}>
            <div>
              <dt className="label">Status</dt>
              <dd style={{ margin: 0 }}>
                <StatusBadge status={task.status} />
              </dd>
            </div>
            <div>
              <dt className="label">Assignee</dt>
              <dd style={{ margin: 0 }}>{task.assigneeId ? (names.get(task.assigneeId) ?? 'Former member') : 'Unassigned'}</dd>
            </div>
            <div>
              <dt className="label">Due</dt>
              <dd style={{ margin: 0 }}>
                {formatDate(task.dueDate)} {isOverdue(task.dueDate, task.status === 'done') && <span className="badge badge-overdue">Overdue</span>}
              </dd>
            </div>
          </dl>
          <div style={{ marginTop: '1rem' }}>
            <RoleHint>
              {session.role === 'viewer' ? 'Viewers can read tasks but not change them.' : 'Only the task’s creator or an admin can change it.'}
            </RoleHint>
          </div>
        </div>
      )}

      <section className="section" aria-labelledby="comments-title">
        <h2 className="section-title" id="comments-title">
          Comments
        </h2>
        <Suspense fallback={<TableSkeleton rows={2} label="Loading comments" />}>
          <Comments projectId={project.id} taskId={task.id} session={session} members={members} />
        </Suspense>
        <div style={{ marginTop: '1rem' }}>
          {session.role === 'viewer' ? (
            <RoleHint>Viewers can read comments but not write them.</RoleHint>
          ) : (
            <CommentForm projectId={project.id} taskId={task.id} />
          )}
        </div>
      </section>
    </div>
  );
}

async function Comments({ projectId, taskId, session, members }: { projectId: string; taskId: string; session: TenantSession; members: Member[] }) {
  const comments = await withTenantSession(session.slug, (tx) => listComments(tx, taskId));
  const names = new Map(members.map((member) => [member.userId, member.name]));
  const actor = { userId: session.user.id, role: session.role };
  if (comments.length === 0) {
    return (
      <div className="panel">
        <EmptyState icon="✎" title="No comments yet">
          {session.role === 'viewer' ? 'Comments from the team show up here.' : 'Start the conversation below.'}
        </EmptyState>
      </div>
    );
  }
  return (
    <ul className="comments panel" aria-label="Comments">
      {comments.map((comment) => {
        const author = (comment.createdBy && names.get(comment.createdBy)) ?? 'Former member';
        return (
          <li key={comment.id} className="comment">
            <span className="avatar" aria-hidden="true">
              {initials(author)}
            </span>
            <div>
              <div className="comment-meta">
                <span>
                  <strong>{author}</strong> · {formatDateTime(comment.createdAt)}
                </span>
                {canChange(actor, comment.createdBy) && (
                  <ConfirmForm action={deleteCommentAction} fields={{ projectId, taskId, commentId: comment.id }} confirm="Delete this comment?" size="sm">
                    Delete
                  </ConfirmForm>
                )}
              </div>
              <p className="comment-body">{comment.body}</p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
