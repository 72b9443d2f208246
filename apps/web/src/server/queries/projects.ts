import 'server-only';

import { projects, tasks } from '@repo/db/schema';
import { count, desc, eq, sql } from 'drizzle-orm';

import type { TenantQuery, TenantTx } from '../tenant-data';
import { isUuid, unchangedReason } from './rows';

// Query functions take the tenant transaction (`tx`) and nothing else that could pick a tenant: there is no
// tenant_id in any WHERE clause here. The tenant comes from the signed context, and the policies filter.

export interface ProjectSummary {
  id: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  taskCount: number;
  openCount: number;
}

/** The projects page: newest first, with task counts. */
export async function listProjects(tx: TenantTx, limit = 100): Promise<ProjectSummary[]> {
  const counts = tx.db
    .select({
      projectId: tasks.projectId,
      total: count().as('total'),
      open: sql<number>`count(*) filter (where ${tasks.status} <> 'done')`.as('open'),
    })
    .from(tasks)
    .groupBy(tasks.projectId)
    .as('counts');
  const rows = await tx.db
    .select({
      id: projects.id,
      name: projects.name,
      description: projects.description,
      createdBy: projects.createdBy,
      createdAt: projects.createdAt,
      updatedAt: projects.updatedAt,
      taskCount: counts.total,
      openCount: counts.open,
    })
    .from(projects)
    .leftJoin(counts, eq(counts.projectId, projects.id))
    .orderBy(desc(projects.createdAt), projects.id)
    .limit(limit);
  return rows.map((row) => ({ ...row, taskCount: Number(row.taskCount ?? 0), openCount: Number(row.openCount ?? 0) }));
}

/** The JSON API's answer, also read by the bench baseline (src/server/bench-baseline.ts) with an explicit WHERE. */
export interface ProjectJson {
  id: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const RECENT_PROJECTS_COLUMNS = 'id, name, description, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"';
export const RECENT_PROJECTS_ORDER = 'ORDER BY created_at DESC, id LIMIT $1';

/** Newest projects for GET /api/projects: one statement, the tenant filter left to the policies. */
export async function recentProjects(tx: TenantQuery, limit = 50): Promise<ProjectJson[]> {
  const { rows } = await tx.query<ProjectJson>(`SELECT ${RECENT_PROJECTS_COLUMNS} FROM projects ${RECENT_PROJECTS_ORDER}`, [limit]);
  return rows;
}

export type Project = Pick<ProjectSummary, 'id' | 'name' | 'description' | 'createdBy' | 'createdAt' | 'updatedAt'>;

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
