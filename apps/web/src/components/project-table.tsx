import Link from 'next/link';

import type { ProjectSummary } from '@/server/queries/projects';

import { EmptyState } from './empty-state';
import { formatDate } from './format';

/** The projects list; also rendered by the web benchmark's baseline page (bench/web-baseline), so both measure the same markup. */
/** `basePath`: the organisation's projects path (/o/<slug>/projects), under which each project's page is. */
export function ProjectTable({ projects, canCreate, basePath }: { projects: ProjectSummary[]; canCreate: boolean; basePath: string }) {
  if (projects.length === 0) {
    return (
      <div className="panel">
        <EmptyState icon="▦" title="No projects yet">
          {canCreate ? 'Create the first project of this workspace with “New project”.' : 'When a member creates a project, it shows up here.'}
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="panel table-scroll">
      <table className="table" aria-label="Projects">
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col" className="num">
              Open tasks
            </th>
            <th scope="col" className="num">
              All tasks
            </th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {projects.map((project) => (
            <tr key={project.id}>
              <td>
                <Link href={`${basePath}/${project.id}`} className="cell-title">
                  {project.name}
                </Link>
                {project.description && <span className="cell-sub">{project.description}</span>}
              </td>
              <td className="num">{project.openCount}</td>
              <td className="num">{project.taskCount}</td>
              <td className="muted">{formatDate(project.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
