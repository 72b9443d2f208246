import { randomUUID } from 'node:crypto';
import type { StrategyName, Tenant } from '@repo/tenancy';
import type { PreparedDatabase } from '../support';
import { SECOND, type SecondCluster } from './second-server';

export interface TenantFixture {
  tenant: Tenant;
  admin: string;
  member: string;
  otherMember: string;
  viewer: string;
  /** One row of each table, created by `member`. */
  projectId: string;
  taskId: string;
  commentId: string;
}

export interface Fixture {
  a: TenantFixture;
  b: TenantFixture;
  /** Never touched by any call for A or B: seeing one of its rows anywhere is a leak. */
  canary: TenantFixture;
}

/**
 * Where a suite's tenants live. 'one-server': all on the primary. 'two-servers': A and B on the second server (so
 * every attack of A on B, and the connection they share, is on that server), the canary on the primary (so whatever
 * crosses servers shows up as the canary's rows).
 */
export type Layout = 'one-server' | 'two-servers';

const SERVERS: Record<Layout, Partial<Record<keyof Fixture, string>>> = {
  'one-server': {},
  'two-servers': { a: SECOND, b: SECOND, canary: 'primary' },
};

/** A suite given a second cluster places its tenants on two servers. */
export const layoutOf = (second?: () => SecondCluster): Layout => (second ? 'two-servers' : 'one-server');

/** Three tenants of one strategy, each with one row per table written through the library as a member. */
export async function buildFixture(prepared: PreparedDatabase, strategy: StrategyName, prefix: string, layout: Layout = 'one-server'): Promise<Fixture> {
  const make = async (name: keyof Fixture): Promise<TenantFixture> => {
    const server = SERVERS[layout][name];
    const tenant = await prepared.tenancy.createTenant({ slug: `${prefix}_${name}`, name: `${prefix} ${name}`, strategy, ...(server ? { server } : {}) });
    const users = { admin: randomUUID(), member: randomUUID(), otherMember: randomUUID(), viewer: randomUUID() };
    const ids = await prepared.tenancy.withTenant(
      tenant.slug,
      async (tx) => {
        const project = await tx.query<{ id: string }>(`insert into projects (name) values ($1) returning id`, [`${name} project`]);
        const projectId = project.rows[0]!.id;
        const task = await tx.query<{ id: string }>(`insert into tasks (project_id, title) values ($1, $2) returning id`, [projectId, `${name} task`]);
        const taskId = task.rows[0]!.id;
        const comment = await tx.query<{ id: string }>(`insert into comments (task_id, body) values ($1, $2) returning id`, [taskId, `${name} comment`]);
        return { projectId, taskId, commentId: comment.rows[0]!.id };
      },
      { role: 'member', userId: users.member },
    );
    return { tenant, ...users, ...ids };
  };
  return { a: await make('a'), b: await make('b'), canary: await make('canary') };
}

export type TableName = 'projects' | 'tasks' | 'comments';

/**
 * Tables no runtime role writes: the owner's functions fill them (the row triggers and log_activity(), the support-access
 * functions), in the tenant's own transaction. The isolation suite attacks them with their own rules
 * (activity-suite.ts, support-suite.ts), since a member's rights do not apply.
 */
export const FUNCTION_WRITTEN_TABLES = ['activity_log', 'support_access'] as const;

/** How to write a row of each table, given a tenant's fixture rows (children need a parent in the same tenant). */
export const TABLES: Record<
  TableName,
  { insert: (f: TenantFixture) => { sql: string; params: unknown[] }; textColumn: string; idOf: (f: TenantFixture) => string }
> = {
  projects: {
    insert: () => ({ sql: 'insert into projects (tenant_id, name) values ($1, $2)', params: ['x'] }),
    textColumn: 'name',
    idOf: (f) => f.projectId,
  },
  tasks: {
    insert: (f) => ({ sql: 'insert into tasks (tenant_id, title, project_id) values ($1, $2, $3)', params: ['x', f.projectId] }),
    textColumn: 'title',
    idOf: (f) => f.taskId,
  },
  comments: {
    insert: (f) => ({ sql: 'insert into comments (tenant_id, body, task_id) values ($1, $2, $3)', params: ['x', f.taskId] }),
    textColumn: 'body',
    idOf: (f) => f.commentId,
  },
};
