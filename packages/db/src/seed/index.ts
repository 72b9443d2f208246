import type pg from 'pg';
import type { Tenant } from '@repo/tenancy';
import type { AppTenancy } from '../tenancy';
import { hashPassword } from '@repo/auth/password';
import { insertIfNoOperator } from '../operators/first-operator';
import { SEED_OPERATORS, SEED_TENANTS, SEED_USERS, STATUS_CYCLE, TASK_TITLES, type SeedTenant } from './data';
import { seedId, seedSalt } from './ids';
import { planForStrategy } from '../plans/catalog';
import { recordPlan } from '../plans/records';

export { SEED_LOGINS } from './logins';
export { SEED_TENANTS, SEED_USERS, SEED_OPERATORS, DEMO_PASSWORD, OPERATOR_PASSWORD } from './data';
export { seedId } from './ids';

type Exec = (text: string, params: unknown[]) => Promise<unknown>;

/**
 * Seeds what init.sql carries: the users, and the rls and schema tenants with their work. Rows are
 * written by the admin connection with explicit tenant ids; it must be a superuser (dev and Docker),
 * which row-level security does not filter, because init.sql replays these statements long after
 * any context token would expire. Database tenants live in databases of their own, which one SQL
 * script cannot create and fill: seedDatabaseTenants() does that at start.
 *
 * No operator: init.sql is what the Docker stack's database starts from, and an operator with a
 * published password must not exist there. `npm run dev` adds its operator (seedDevOperator), the
 * Docker setup a first operator of its own (@repo/db/operators).
 */
export async function seed(tenancy: AppTenancy, admin: pg.ClientBase): Promise<void> {
  for (const user of SEED_USERS) {
    const passwordHash = await hashPassword(user.password, seedSalt(user.email));
    await admin.query('INSERT INTO public.users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)', [user.id, user.email, user.name, passwordHash]);
  }
  for (const seedTenant of SEED_TENANTS.filter((t) => t.strategy !== 'database')) {
    const tenant = await createSeedTenant(tenancy, admin, seedTenant);
    await seedWork((text, params) => admin.query(text, params), tenant, seedTenant);
  }
}

/**
 * The dev operator (ops@tenancy.test / operator-password, in the README), for `npm run dev` and the e2e stacks only:
 * added when the database has no operator, never in init.sql. Returns whether it was added.
 */
export async function seedDevOperator(admin: pg.ClientBase): Promise<boolean> {
  const [operator] = SEED_OPERATORS;
  const passwordHash = await hashPassword(operator.password);
  const id = await insertIfNoOperator(admin, { id: operator.id, email: operator.email, name: operator.name, passwordHash });
  return typeof id === 'string';
}

/** Creates the seeded database tenants that do not exist yet, with their members and work. Safe to run on every start. */
export async function seedDatabaseTenants(tenancy: AppTenancy, admin: pg.ClientBase): Promise<string[]> {
  const created: string[] = [];
  for (const seedTenant of SEED_TENANTS.filter((t) => t.strategy === 'database')) {
    const existing = await tenancy.getTenant(seedTenant.slug).catch(() => undefined);
    if (existing?.status === 'active') continue;
    const tenant = await createSeedTenant(tenancy, admin, seedTenant);
    await tenancy.withTenant(tenant.slug, (tx) => seedWork((text, params) => tx.query(text, params), tenant, seedTenant), { role: 'admin' });
    created.push(tenant.slug);
  }
  return created;
}

async function createSeedTenant(tenancy: AppTenancy, admin: pg.ClientBase, seedTenant: SeedTenant): Promise<Tenant> {
  const tenant = await tenancy.createTenant({ id: seedTenant.id, slug: seedTenant.slug, name: seedTenant.name, strategy: seedTenant.strategy });
  for (const user of SEED_USERS) {
    for (const membership of user.memberships.filter((m) => m.tenant === seedTenant.slug)) {
      await admin.query('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        user.id,
        tenant.id,
        membership.role,
      ]);
    }
  }
  // Each seeded tenant is on the plan its placement belongs to; free needs no row.
  const plan = planForStrategy(seedTenant.strategy);
  if (plan !== 'free') await recordPlan(admin, tenant.id, plan);
  return tenant;
}

async function seedWork(exec: Exec, tenant: Tenant, seedTenant: SeedTenant): Promise<void> {
  const { slug, projects: projectNames } = seedTenant;
  const schema = `"${tenant.schemaName}"`;
  const members = SEED_USERS.filter((u) => u.memberships.some((m) => m.tenant === slug && m.role !== 'viewer'));
  for (const [p, projectName] of projectNames.entries()) {
    const projectId = seedId(`project:${slug}:${p}`);
    const owner = members[p % members.length]!;
    await exec(`INSERT INTO ${schema}.projects (tenant_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)`, [
      tenant.id,
      projectId,
      projectName,
      `${projectName} for ${seedTenant.name}.`,
      owner.id,
    ]);
    for (let t = 0; t < 3 + (p % 4); t++) {
      const taskId = seedId(`task:${slug}:${p}:${t}`);
      const assignee = members[(p + t) % members.length]!;
      await exec(
        `INSERT INTO ${schema}.tasks (tenant_id, id, project_id, title, status, assignee_id, due_date, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, DATE '2027-01-04' + $7::int, $8)`,
        [tenant.id, taskId, projectId, TASK_TITLES[t % TASK_TITLES.length], STATUS_CYCLE[(p + t) % 3], assignee.id, String(7 * t + p), owner.id],
      );
      if (t % 2 === 0) {
        await exec(`INSERT INTO ${schema}.comments (tenant_id, id, task_id, body, created_by) VALUES ($1, $2, $3, $4, $5)`, [
          tenant.id,
          seedId(`comment:${slug}:${p}:${t}`),
          taskId,
          `Looks good, ${assignee.name.split(' ')[0]} is on it.`,
          owner.id,
        ]);
      }
    }
  }
}
