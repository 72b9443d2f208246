import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { EmptyState } from '@/components/empty-state';
import { Pager } from '@/components/pager';
import { ProjectTable } from '@/components/project-table';
import { RoleHint } from '@/components/role-hint';
import { DEFAULT_PAGE_SIZE, parseProjectListQuery, projectListHref } from '@/lib/project-list-query';
import { InvalidCursorError } from '@/server/queries/project-page';
import { listProjects } from '@/server/queries/projects';
import { orgPath } from '@/lib/org-path';
import { requireOrgSession } from '@/server/session';
import { tenantStatement } from '@/server/tenant-data';

import { NewProjectForm } from '../project-form';
import { ProjectSearch } from './project-search';

export const metadata: Metadata = { title: 'Projects' };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export default async function ProjectsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireOrgSession((await params).slug);
  const list = orgPath(session.slug, '/projects');
  // A person may have edited the address: parameters that make no sense are ignored, not an error page. The page
  // size is the page's own (its links carry no limit).
  const query = { ...parseProjectListQuery(await searchParams, 'lenient').query, limit: DEFAULT_PAGE_SIZE };
  // One statement: the page, its task counts and the real count (tenancy.queryAs, one round trip).
  const page = await listProjects(tenantStatement(session.slug), query).catch((error: unknown) => {
    // A cursor of another order (or not a cursor): the list from its start.
    if (error instanceof InvalidCursorError) redirect(projectListHref(list, { ...query, cursor: undefined }));
    throw error;
  });
  const canCreate = session.role !== 'viewer';
  const href = (cursor: string | null) => (cursor ? projectListHref(list, { ...query, cursor }) : null);
  const summary = query.q
    ? page.total === 0
      ? `No projects match “${query.q}”`
      : `${plural(page.total, 'project matches', 'projects match')} “${query.q}”`
    : `${page.total === 0 ? 'No projects' : plural(page.total, 'project', 'projects')} in ${session.active.tenantName}`;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Projects</h1>
          <p>{summary}</p>
        </div>
      </div>
      <div className="list-toolbar">
        <ProjectSearch action={list} query={query} />
        {canCreate ? <NewProjectForm /> : <RoleHint>Viewers can read projects but not create them. Ask an admin for member access.</RoleHint>}
      </div>
      {page.items.length === 0 && (query.q || query.cursor) ? (
        <div className="panel">
          <EmptyState
            icon="▦"
            title={query.q ? 'No match' : 'Nothing on this page'}
            action={
              <Link className="btn" href={list}>
                Show all projects
              </Link>
            }
          >
            {query.q ? `No project name contains “${query.q}”.` : 'The list has changed since this page was linked.'}
          </EmptyState>
        </div>
      ) : (
        <ProjectTable projects={page.items} canCreate={canCreate} basePath={list} />
      )}
      <Pager from={page.from} to={page.to} total={page.total} prevHref={href(page.prev)} nextHref={href(page.next)} />
    </div>
  );
}
