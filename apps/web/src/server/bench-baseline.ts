import 'server-only';

import { projects, tasks } from '@repo/db/schema';
import { count, desc, eq, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

import { serverEnv } from '@/env';

import type { ProjectJson, ProjectSummary } from './queries/projects';
import { RECENT_PROJECTS_COLUMNS, RECENT_PROJECTS_ORDER } from './queries/projects';

// BENCHMARK ONLY (BENCH_BASELINE=1). The same reads as the projects page and GET /api/projects, WITHOUT the
// tenancy layer: a plain pg pool of BENCH_BASELINE_DATABASE_URL (a BYPASSRLS role the bench creates) and an
// explicit `WHERE tenant_id = $1`, the way an app without row-level security would do it. It exists to measure
// what the tenancy layer costs (bench/src/sections/web.ts); the data-access test allows it by name, and both
// routes that use it answer 404 unless BENCH_BASELINE=1. It only sees tenants in the shared schema (rls).

const holder = globalThis as typeof globalThis & { __webBaseline?: { pool: pg.Pool; db: NodePgDatabase } };

export function baselineEnabled(): boolean {
  return serverEnv().BENCH_BASELINE === '1';
}

function baseline(): { pool: pg.Pool; db: NodePgDatabase } {
  if (!baselineEnabled()) throw new Error('The bench baseline is disabled (BENCH_BASELINE is not 1).');
  if (!holder.__webBaseline) {
    const env = serverEnv();
    const pool = new pg.Pool({ connectionString: env.BENCH_BASELINE_DATABASE_URL, max: env.DATABASE_POOL_SIZE });
    pool.on('error', () => undefined);
    holder.__webBaseline = { pool, db: drizzle({ client: pool }) };
  }
  return holder.__webBaseline;
}

export async function baselineRecentProjects(tenantId: string, limit = 50): Promise<ProjectJson[]> {
  const { rows } = await baseline().pool.query<ProjectJson>(
    `SELECT ${RECENT_PROJECTS_COLUMNS} FROM projects WHERE tenant_id = $2 ${RECENT_PROJECTS_ORDER}`,
    [limit, tenantId],
  );
  return rows;
}

/** listProjects (src/server/queries/projects.ts) with the tenant filter written out. */
export async function baselineListProjects(tenantId: string, limit = 100): Promise<ProjectSummary[]> {
  const { db } = baseline();
  const counts = db
    .select({
      projectId: tasks.projectId,
      total: count().as('total'),
      open: sql<number>`count(*) filter (where ${tasks.status} <> 'done')`.as('open'),
    })
    .from(tasks)
    .where(eq(tasks.tenantId, tenantId))
    .groupBy(tasks.projectId)
    .as('counts');
  const rows = await db
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
    .where(eq(projects.tenantId, tenantId))
    .orderBy(desc(projects.createdAt), projects.id)
    .limit(limit);
  return rows.map((row) => ({ ...row, taskCount: Number(row.taskCount ?? 0), openCount: Number(row.openCount ?? 0) }));
}
