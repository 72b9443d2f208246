import { notFound } from 'next/navigation';

import { ProjectTable } from '@/components/project-table';
import { baselineEnabled, baselineListProjects } from '@/server/bench-baseline';
import { requireTenantSession } from '@/server/session';

// BENCHMARK ONLY: the projects page read WITHOUT the tenancy layer (src/server/bench-baseline.ts), same layout
// and same table markup, so bench/src/sections/web.ts can compare the two. 404 unless BENCH_BASELINE=1.
export default async function BaselineProjectsPage() {
  if (!baselineEnabled()) notFound();
  const session = await requireTenantSession();
  const projects = await baselineListProjects(session.tenantId);
  const canCreate = session.role !== 'viewer';
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Projects</h1>
          <p>
            {projects.length} projects in {session.active.tenantName} (baseline: no tenancy layer)
          </p>
        </div>
      </div>
      <ProjectTable projects={projects} canCreate={canCreate} />
    </div>
  );
}
