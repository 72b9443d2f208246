import type { Metadata } from 'next';

import { ProjectTable } from '@/components/project-table';
import { RoleHint } from '@/components/role-hint';
import { listProjects } from '@/server/queries/projects';
import { withTenantSession } from '@/server/tenant-data';

import { NewProjectForm } from '../project-form';

export const metadata: Metadata = { title: 'Projects' };

export default async function ProjectsPage() {
  const { projects, session } = await withTenantSession(async (tx, session) => ({ projects: await listProjects(tx), session }));
  const canCreate = session.role !== 'viewer';
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Projects</h1>
          <p>
            {projects.length === 0 ? 'No projects' : `${projects.length} project${projects.length === 1 ? '' : 's'}`} in {session.active.tenantName}
          </p>
        </div>
      </div>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: '1rem' }}>
        {canCreate ? <NewProjectForm /> : <RoleHint>Viewers can read projects but not create them. Ask an admin for member access.</RoleHint>}
      </div>
      <ProjectTable projects={projects} canCreate={canCreate} />
    </div>
  );
}
