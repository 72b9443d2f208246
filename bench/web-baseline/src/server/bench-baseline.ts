import 'server-only';

import pg from 'pg';
import { z } from 'zod';

import type { ProjectListQuery } from '@/lib/project-list-query';

import { projectPageStatement, readProjectPage, type PageRow, type ProjectPage } from './queries/project-page';
import { toJson, toSummary, type ProjectJson, type ProjectSummary } from './queries/projects';

// Laid over a copy of apps/web by the web benchmark (bench/src/sections/web.ts), never part of the app: the same
// reads as the projects page and GET /api/projects WITHOUT the tenancy layer, on a plain pg pool of a BYPASSRLS role
// the bench creates, with the tenant filter written into the statement, the way an app without row-level security
// would read. It only sees tenants in the shared schema (rls).

const Env = z.object({ BENCH_BASELINE_DATABASE_URL: z.string().url(), DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10) });

const holder = globalThis as typeof globalThis & { __webBaseline?: pg.Pool };

function pool(): pg.Pool {
  if (!holder.__webBaseline) {
    // Read on first use: `next build` loads this module without the bench's environment.
    const env = Env.parse(process.env);
    holder.__webBaseline = new pg.Pool({ connectionString: env.BENCH_BASELINE_DATABASE_URL, max: env.DATABASE_POOL_SIZE });
    holder.__webBaseline.on('error', () => undefined);
  }
  return holder.__webBaseline;
}

/**
 * The app's statement names no tenant (the policies filter). Each table it reads becomes that table filtered by the
 * tenant, a subquery PostgreSQL pulls up into the plain `WHERE tenant_id = $n` it stands for.
 */
function scoped(statement: { text: string; values: unknown[] }, tenantId: string): { text: string; values: unknown[] } {
  const tenant = `$${statement.values.length + 1}::uuid`;
  let replaced = 0;
  const text = statement.text.replace(/\bFROM (projects|tasks) ([a-z])\b/g, (_, table: string, alias: string) => {
    replaced++;
    return `FROM (SELECT * FROM ${table} WHERE tenant_id = ${tenant}) ${alias}`;
  });
  if (replaced === 0) throw new Error('The projects statement reads no table the baseline knows how to scope: update bench/web-baseline.');
  return { text, values: [...statement.values, tenantId] };
}

async function baselinePage<T>(tenantId: string, query: ProjectListQuery, taskCounts: boolean, item: (row: PageRow) => T): Promise<ProjectPage<T>> {
  const statement = scoped(projectPageStatement(query, { taskCounts }), tenantId);
  const { rows } = await pool().query<PageRow>(statement.text, statement.values);
  return readProjectPage(query, rows, item);
}

/** listProjectsJson (src/server/queries/projects.ts), with the tenant filter written out. */
export function baselineProjectsJson(tenantId: string, query: ProjectListQuery): Promise<ProjectPage<ProjectJson>> {
  return baselinePage(tenantId, query, false, toJson);
}

/** listProjects, the same way. */
export function baselineListProjects(tenantId: string, query: ProjectListQuery): Promise<ProjectPage<ProjectSummary>> {
  return baselinePage(tenantId, query, true, toSummary);
}
