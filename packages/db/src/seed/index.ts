import type pg from 'pg';
import type { AppTenancy } from '../tenancy.js';
import { hashPassword } from '../auth/password.js';
import { SEED_OPERATORS, SEED_TENANTS, SEED_USERS, STATUS_CYCLE, TASK_TITLES } from './data.js';
import { seedId, seedSalt } from './ids.js';

export { SEED_LOGINS } from './logins.js';
export { SEED_TENANTS, SEED_USERS, SEED_OPERATORS, DEMO_PASSWORD, OPERATOR_PASSWORD } from './data.js';
export { seedId } from './ids.js';

/**
 * Seeds the demo tenants, users and their projects. Rows are written by the admin connection with
 * explicit tenant ids: it must be a superuser (dev and Docker), which row-level security does not
 * filter, because init.sql replays these statements long after any context token would expire.
 */
export async function seed(tenancy: AppTenancy, admin: pg.ClientBase): Promise<void> {
  for (const tenant of SEED_TENANTS) {
    await tenancy.createTenant({ id: tenant.id, slug: tenant.slug, name: tenant.name, strategy: tenant.strategy });
  }
  for (const user of SEED_USERS) {
    const passwordHash = await hashPassword(user.password, seedSalt(user.email));
    await admin.query('INSERT INTO public.users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)', [user.id, user.email, user.name, passwordHash]);
    for (const membership of user.memberships) {
      await admin.query('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [user.id, tenantId(membership.tenant), membership.role]);
    }
  }
  for (const operator of SEED_OPERATORS) {
    const passwordHash = await hashPassword(operator.password, seedSalt(operator.email));
    await admin.query('INSERT INTO public.operators (id, email, name, password_hash) VALUES ($1, $2, $3, $4)', [operator.id, operator.email, operator.name, passwordHash]);
  }
  for (const tenant of SEED_TENANTS) await seedWork(admin, tenant.id, tenant.slug, tenant.projects);
}

async function seedWork(admin: pg.ClientBase, tenantId: string, slug: string, projectNames: string[]): Promise<void> {
  const members = SEED_USERS.filter((u) => u.memberships.some((m) => m.tenant === slug && m.role !== 'viewer'));
  for (const [p, projectName] of projectNames.entries()) {
    const projectId = seedId(`project:${slug}:${p}`);
    const owner = members[p % members.length]!;
    await admin.query('INSERT INTO projects (tenant_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)', [
      tenantId,
      projectId,
      projectName,
      `${projectName} for ${slug}.`,
      owner.id,
    ]);
    for (let t = 0; t < 3 + (p % 4); t++) {
      const taskId = seedId(`task:${slug}:${p}:${t}`);
      const assignee = members[(p + t) % members.length]!;
      await admin.query(
        `INSERT INTO tasks (tenant_id, id, project_id, title, status, assignee_id, due_date, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, DATE '2027-01-04' + $7::int, $8)`,
        [tenantId, taskId, projectId, TASK_TITLES[t % TASK_TITLES.length], STATUS_CYCLE[(p + t) % 3], assignee.id, String(7 * t + p), owner.id],
      );
      if (t % 2 === 0) {
        await admin.query('INSERT INTO comments (tenant_id, id, task_id, body, created_by) VALUES ($1, $2, $3, $4, $5)', [
          tenantId,
          seedId(`comment:${slug}:${p}:${t}`),
          taskId,
          `Looks good, ${assignee.name.split(' ')[0]} is on it.`,
          owner.id,
        ]);
      }
    }
  }
}

function tenantId(slug: string): string {
  const tenant = SEED_TENANTS.find((t) => t.slug === slug);
  if (!tenant) throw new Error(`Seed membership names unknown tenant "${slug}"`);
  return tenant.id;
}
