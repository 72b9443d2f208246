import 'server-only';

import { InvalidCursorError } from '../queries/project-page';
import { createProject, deleteProject, getProject, listProjectsJson, updateProject, type Project } from '../queries/projects';
import type { TenantTx } from '../tenant-data';
import { ApiNotFoundError, apiRoute, InvalidCursorRequestError } from './handler';
import { OPERATIONS } from './operations';
import type { ProjectJson } from './schemas';

// /api/v1/projects and /api/v1/projects/{projectId}: the same query functions as the projects pages.

export const toProjectJson = (row: Project): ProjectJson => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdBy: row.createdBy,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

async function existing(tx: TenantTx, id: string): Promise<Project> {
  const project = await getProject(tx, id);
  if (!project) throw new ApiNotFoundError('project');
  return project;
}

export const listProjectsRoute = apiRoute(OPERATIONS.listProjects, async ({ query }, tx) => {
  try {
    const page = await listProjectsJson(tx, { q: query.q === '' ? undefined : query.q, sort: query.sort, cursor: query.cursor, limit: query.limit });
    return { data: page.items.map(toProjectJson), total: page.total, nextCursor: page.next };
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new InvalidCursorRequestError(error.message);
    throw error;
  }
});

export const createProjectRoute = apiRoute(OPERATIONS.createProject, async ({ body }, tx) => {
  const id = await createProject(tx, { name: body.name, description: body.description });
  return toProjectJson(await existing(tx, id));
});

export const getProjectRoute = apiRoute(OPERATIONS.getProject, async ({ params }, tx) => toProjectJson(await existing(tx, params.projectId)));

export const updateProjectRoute = apiRoute(OPERATIONS.updateProject, async ({ params, body }, tx) => {
  const current = await existing(tx, params.projectId);
  await updateProject(tx, current.id, {
    name: body.name ?? current.name,
    description: body.description === undefined ? current.description : body.description,
  });
  return toProjectJson(await existing(tx, current.id));
});

export const deleteProjectRoute = apiRoute(OPERATIONS.deleteProject, async ({ params }, tx) => {
  await existing(tx, params.projectId);
  await deleteProject(tx, params.projectId);
});
