import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';

import { StatusBadge } from '@/components/badges';
import { EmptyState } from '@/components/empty-state';
import { OtherWorkspace } from '@/components/other-workspace';
import { formatDate, isOverdue } from '@/components/format';
import { RoleHint } from '@/components/role-hint';
import { TableSkeleton } from '@/components/skeletons';
import { orgPath } from '@/lib/org-path';
import { canChange } from '@/lib/permissions';
import { listMembers } from '@/server/queries/members';
import { getProject } from '@/server/queries/projects';
import { listTasks } from '@/server/queries/tasks';
import type { TenantSession } from '@/server/session';
import { findInOtherWorkspace, withTenantControlPlane, withTenantSession } from '@/server/tenant-data';

import { NewTaskForm } from './new-task-form';
import { ProjectHeader } from './project-header';
import { TaskAssigneeSelect, TaskStatusSelect } from './task-controls';

export const metadata: Metadata = { title: 'Project' };

type Params = { params: Promise<{ slug: string; projectId: string }> };

export default async function ProjectPage({ params }: Params) {
  const { slug, projectId } = await params;
  // Awaited before anything streams, so a miss answers with a real 404 status. Another tenant's project id
  // finds nothing here (the policies filter by the session's tenant), exactly like an id that never existed.
  const found = await withTenantSession(slug, async (tx, session) => ({ project: await getProject(tx, projectId), session }));
  if (!found.project) {
    // In another of the user's own workspaces? Then link to it there; for anyone else it stays the 404.
    const elsewhere = await findInOtherWorkspace(slug, async (tx) => (await getProject(tx, projectId)) !== null);
    if (!elsewhere) notFound();
    return (
      <OtherWorkspace
        what="project"
        workspace={{ name: elsewhere.tenantName, href: orgPath(elsewhere.tenantSlug, `/projects/${projectId}`) }}
        current={{ name: found.session.active.tenantName, href: orgPath(found.session.slug, '/projects') }}
      />
    );
  }
  const { project, session } = found;
  const actor = { userId: session.user.id, role: session.role };
  const projects = orgPath(session.slug, '/projects');
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href={projects}>Projects</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{project.name}</span>
      </nav>
      <ProjectHeader project={project} canEdit={canChange(actor, project.createdBy)}>
        <h1>{project.name}</h1>
        <p className="user-text">{project.description ?? 'No description.'}</p>
        <p className="muted" style={{ fontSize: '0.8125rem' }}>
          Created {formatDate(project.createdAt)}
        </p>
      </ProjectHeader>
      <Suspense fallback={<TableSkeleton rows={4} label="Loading tasks" />}>
        <ProjectTasks projectId={projectId} session={session} />
      </Suspense>
    </div>
  );
}

async function ProjectTasks({ projectId, session }: { projectId: string; session: TenantSession }) {
  const [tasks, members] = await Promise.all([
    withTenantSession(session.slug, (tx) => listTasks(tx, projectId)),
    withTenantControlPlane(session.slug, (tx) => listMembers(tx)),
  ]);
  const actor = { userId: session.user.id, role: session.role };
  const names = new Map(members.map((member) => [member.userId, member.name]));
  const memberOptions = members.map((member) => ({ id: member.userId, name: member.name }));
  const open = tasks.filter((task) => task.status !== 'done').length;
  return (
    <section className="section" aria-labelledby="tasks-title">
      <h2 className="section-title" id="tasks-title">
        Tasks
        <span className="muted" style={{ fontSize: '0.875rem', fontWeight: 400 }}>
          {open} open · {tasks.length} in all
        </span>
      </h2>
      <div style={{ marginBottom: '1rem' }}>
        {session.role === 'viewer' ? (
          <RoleHint>Viewers can follow tasks but not add or change them.</RoleHint>
        ) : (
          <NewTaskForm projectId={projectId} members={memberOptions} />
        )}
      </div>
      <div className="panel">
        {tasks.length === 0 ? (
          <EmptyState icon="✓" title="No tasks yet">
            {session.role === 'viewer' ? 'Tasks added by members show up here.' : 'Add the first task with the form above.'}
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table" aria-label="Tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Status</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Due</th>
                  <th scope="col" className="num">
                    Comments
                  </th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((task) => {
                  const editable = canChange(actor, task.createdBy);
                  return (
                    <tr key={task.id}>
                      <td>
                        <Link href={orgPath(session.slug, `/projects/${projectId}/tasks/${task.id}`)} className="cell-title">
                          {task.title}
                        </Link>
                      </td>
                      <td>
                        {editable ? (
                          <TaskStatusSelect projectId={projectId} taskId={task.id} title={task.title} status={task.status} />
                        ) : (
                          <StatusBadge status={task.status} />
                        )}
                      </td>
                      <td>
                        {editable ? (
                          <TaskAssigneeSelect projectId={projectId} taskId={task.id} title={task.title} assigneeId={task.assigneeId} members={memberOptions} />
                        ) : (
                          <span className={task.assigneeId ? undefined : 'muted'}>
                            {task.assigneeId ? (names.get(task.assigneeId) ?? 'Former member') : 'Unassigned'}
                          </span>
                        )}
                      </td>
                      <td>
                        {formatDate(task.dueDate)} {isOverdue(task.dueDate, task.status === 'done') && <span className="badge badge-overdue">Overdue</span>}
                      </td>
                      <td className="num">{task.commentCount}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {session.role === 'member' && tasks.some((task) => !canChange(actor, task.createdBy)) && (
        <p className="muted" style={{ fontSize: '0.8125rem', marginTop: '0.5rem' }}>
          Members can change the tasks they created; an admin can change any task.
        </p>
      )}
    </section>
  );
}
