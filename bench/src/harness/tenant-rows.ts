import type { AppTenancy } from '@repo/db/tenancy';

// A tenant's rows as the lifecycle and servers sections build them, and the check that they are all still there.

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** A tenant's rows over the app's tables: a project has 12 tasks, a task one comment on average (some several, some none). */
export interface Shape {
  total: number;
  projects: number;
  tasks: number;
  comments: number;
}

export function shape(total: number): Shape {
  const projects = Math.round(total / 25);
  const tasks = projects * 12;
  return { total, projects, tasks, comments: total - projects - tasks };
}

/** The tenant's rows, generated in SQL inside one withTenant transaction as the tenant's admin (policies apply). */
export async function fill(tenancy: AppTenancy, slug: string, s: Shape, userId: string): Promise<void> {
  await tenancy.withTenant(
    slug,
    async (tx) => {
      await tx.query(
        `insert into projects (name, description, created_at)
         select 'project ' || g, 'Project ' || g || ': ' || repeat('planning notes, ', 1 + g % 8), now() - g * interval '7 minutes'
         from generate_series(1, $1::int) g`,
        [s.projects],
      );
      await tx.query(
        `insert into tasks (project_id, title, status, assignee_id, due_date, created_at)
         select p.id, 'task ' || g || ' of ' || p.name, (array['todo', 'doing', 'done'])[1 + g % 3],
                case when g % 4 = 0 then null else $2::uuid end, case when g % 5 = 0 then current_date + g % 60 end,
                p.created_at + g * interval '1 minute'
         from projects p, generate_series(1, $1::int) g`,
        [s.tasks / s.projects, userId],
      );
      // Comment g goes to task 1 + g² mod n: some tasks get several, many none.
      await tx.query(
        `insert into comments (task_id, body, created_at)
         select t.id, 'comment ' || g || ': ' || repeat('looks good to me, ', 1 + g % 12), t.created_at + interval '1 hour'
         from (select id, created_at, row_number() over (order by created_at, id) as rn from tasks) t
         join generate_series(1, $1::int) g on t.rn = 1 + (g::bigint * g) % $2::int`,
        [s.comments, s.tasks],
      );
    },
    { role: 'admin', userId },
  );
}

/** Rows per table as the tenant sees them, through its own route and role. */
export async function counts(tenancy: AppTenancy, slug: string): Promise<{ projects: number; tasks: number; comments: number }> {
  const { rows } = await tenancy.queryAs<{ projects: number; tasks: number; comments: number }>(
    slug,
    `select (select count(*) from projects)::int as projects, (select count(*) from tasks)::int as tasks, (select count(*) from comments)::int as comments`,
  );
  return rows[0]!;
}

export async function expectRows(tenancy: AppTenancy, slug: string, s: Shape, extraProjects = 0): Promise<void> {
  const got = await counts(tenancy, slug);
  check(
    got.projects === s.projects + extraProjects && got.tasks === s.tasks && got.comments === s.comments,
    `${slug} holds ${JSON.stringify(got)}, expected ${s.projects + extraProjects} projects, ${s.tasks} tasks, ${s.comments} comments`,
  );
}
