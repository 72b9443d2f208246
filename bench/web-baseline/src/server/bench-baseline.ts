import 'server-only';

import pg from 'pg';

import { serverEnv } from '@/env';
import type { ProjectListQuery } from '@/lib/project-list-query';

import { projectPageStatement, readProjectPage, type PageRow, type ProjectPage } from './queries/project-page';
import { toJson, toSummary, type ProjectJson, type ProjectSummary } from './queries/projects';

// BENCHMARK ONLY (BENCH_BASELINE=1). The same reads as the projects page and GET /api/projects, WITHOUT the
// tenancy layer: a plain pg pool of BENCH_BASELINE_DATABASE_URL (a BYPASSRLS role the bench creates) and an
// explicit `WHERE tenant_id = $1`, the way an app without row-level security would do it. It exists to measure
// what the tenancy layer costs (bench/src/sections/web.ts); the data-access test allows it by name, and both
// routes that use it answer 404 unless BENCH_BASELINE=1. It only sees tenants in the shared schema (rls).

const holder = globalThis as typeof globalThis & { __webBaseline?: { pool: pg.Pool } };

export function baselineEnabled(): boolean {
  return serverEnv().BENCH_BASELINE === '1';
}

function baseline(): { pool: pg.Pool } {
  if (!baselineEnabled()) throw new Error('The bench baseline is disabled (BENCH_BASELINE is not 1).');
  if (!holder.__webBaseline) {
    const env = serverEnv();
    const pool = new pg.Pool({ connectionString: env.BENCH_BASELINE_DATABASE_URL, max: env.DATABASE_POOL_SIZE });
    pool.on('error', () => undefined);
    holder.__webBaseline = { pool };
  }
  return holder.__webBaseline;
}

async function baselinePage<T>(tenantId: string, query: ProjectListQuery, taskCounts: boolean, item: (row: PageRow) => T): Promise<ProjectPage<T>> {
  const statement = projectPageStatement(query, { taskCounts, scope: { tenantId } });
  const { rows } = await baseline().pool.query<PageRow>(statement.text, statement.values);
  return readProjectPage(query, rows, item);
}

/** listProjectsJson (src/server/queries/projects.ts): the same statement with the tenant filter written out. */
export function baselineProjectsJson(tenantId: string, query: ProjectListQuery): Promise<ProjectPage<ProjectJson>> {
  return baselinePage(tenantId, query, false, toJson);
}

/** listProjects, the same way. */
export function baselineListProjects(tenantId: string, query: ProjectListQuery): Promise<ProjectPage<ProjectSummary>> {
  return baselinePage(tenantId, query, true, toSummary);
}
