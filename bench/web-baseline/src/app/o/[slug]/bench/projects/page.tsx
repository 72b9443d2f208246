import { ProjectTable } from '@/components/project-table';
import { orgPath } from '@/lib/org-path';
import { FIRST_PAGE } from '@/lib/project-list-query';
import { baselineListProjects } from '@/server/bench-baseline';
import { requireOrgSession } from '@/server/session';

// Laid over a copy of apps/web by the web benchmark: the projects page's first page read WITHOUT the tenancy layer
// (src/server/bench-baseline.ts), same statement and the same table markup, so bench/src/sections/web.ts can compare the two.
export default async function BaselineProjectsPage({ params }: { params: Promise<{ slug: string }> }) {
  const session = await requireOrgSession((await params).slug);
  const page = await baselineListProjects(session.tenantId, FIRST_PAGE);
  const canCreate = session.role !== 'viewer';
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Projects</h1>
          <p>
            {page.total} projects in {session.active.tenantName} (baseline: no tenancy layer)
          </p>
        </div>
      </div>
      <ProjectTable projects={page.items} canCreate={canCreate} basePath={orgPath(session.slug, '/projects')} />
    </div>
  );
}
