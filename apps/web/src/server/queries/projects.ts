import 'server-only';

import { projects } from '@repo/db/schema';
import { eq, sql } from 'drizzle-orm';

import type { ProjectListQuery } from '@/lib/project-list-query';

import type { TenantQuery, TenantTx } from '../tenant-data';
import { projectPage, type PageRow, type ProjectPage, type ProjectRow } from './project-page';
import { isUuid, unchangedReason } from './rows';

// Query functions take the tenant transaction (`tx`) and nothing else that could pick a tenant: there is no
// tenant_id in any WHERE clause here. The tenant comes from the signed context, and the policies filter.

/** A row of the projects page: the project and its task counts. */
export interface ProjectSummary extends ProjectRow {
  taskCount: number;
  openCount: number;
}

/** A project in GET /api/projects (the answer's shape is documented in apps/web/README.md). */
export type ProjectJson = ProjectRow;

const columns = (row: PageRow): ProjectRow => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** A projects page row; also used by the web benchmark's baseline (bench/web-baseline), which runs the same statement elsewhere. */
export const toSummary = (row: PageRow): ProjectSummary => ({ ...columns(row), taskCount: row.taskCount ?? 0, openCount: row.openCount ?? 0 });
export const toJson = columns;

/** One page of the projects page: with task counts. */
export function listProjects(db: TenantQuery, query: ProjectListQuery): Promise<ProjectPage<ProjectSummary>> {
  return projectPage(db, query, { taskCounts: true }, toSummary);
}

/** One page of GET /api/projects. */
export function listProjectsJson(db: TenantQuery, query: ProjectListQuery): Promise<ProjectPage<ProjectJson>> {
  return projectPage(db, query, { taskCounts: false }, toJson);
}

export type Project = ProjectRow;

/** One project of the current tenant, or null: another tenant's id finds nothing, exactly like a missing one. */
export async function getProject(tx: TenantTx, id: string): Promise<Project | null> {
  if (!isUuid(id)) return null;
  const [row] = await tx.db
    .select({
      id: projects.id,
      name: projects.name,
      description: projects.description,
      createdBy: projects.createdBy,
      createdAt: projects.createdAt,
      updatedAt: projects.updatedAt,
    })
    .from(projects)
    .where(eq(projects.id, id));
  return row ?? null;
}

export async function createProject(tx: TenantTx, input: { name: string; description: string | null }): Promise<string> {
  // tenant_id and created_by default to the context; the insert policy checks the role.
  const [row] = await tx.db.insert(projects).values({ name: input.name, description: input.description }).returning({ id: projects.id });
  return row!.id;
}

export async function updateProject(tx: TenantTx, id: string, input: { name: string; description: string | null }): Promise<void> {
  const changed = await tx.db
    .update(projects)
    .set({ name: input.name, description: input.description, updatedAt: sql`now()` })
    .where(eq(projects.id, id))
    .returning({ id: projects.id });
  if (changed.length === 0) throw await unchangedReason(tx, 'projects', id, 'project');
}

export async function deleteProject(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx.db.delete(projects).where(eq(projects.id, id)).returning({ id: projects.id });
  if (deleted.length === 0) throw await unchangedReason(tx, 'projects', id, 'project');
}
