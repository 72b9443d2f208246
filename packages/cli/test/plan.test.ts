import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { prepareDatabase } from '@repo/db/prepare';
import type { Tenant } from '@repo/tenancy';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_SECRET, json, roleUrl, useCliSuite } from './support';

const suite = useCliSuite('plan');

// `tenancy setup` installs the library's objects; the app's control plane (where plans live) is migrated by the
// deployment's own setup (the dev runner, the Docker setup service), as here.
beforeAll(async () => {
  const { db, env } = suite();
  const tenancy = await prepareDatabase({
    adminUrl: db.url,
    appUrl: env.DATABASE_URL!,
    operatorUrl: env.OPERATOR_DATABASE_URL!,
    authUrl: roleUrl(db.url, 'app_auth', INIT_SQL_DEFAULTS.authPassword),
    contextSecret: CONTEXT_SECRET,
  });
  await tenancy.close();
});

async function state(slug: string): Promise<{ strategy: string; plan: string | null; pending: string | null }> {
  const { rows } = await suite().admin.query<{ strategy: string; plan: string | null; pending: string | null }>(
    `select t.strategy, p.plan, p.pending_plan as pending from tenancy.tenants t left join public.tenant_plans p on p.tenant_id = t.id where t.slug = $1`,
    [slug],
  );
  return rows[0]!;
}

async function projectCount(slug: string): Promise<number> {
  const { rows } = await suite().admin.query<{ n: number }>(
    `select count(*)::int as n from tenancy.tenants t, lateral (select 1 from public.projects p where p.tenant_id = t.id) x where t.slug = $1`,
    [slug],
  );
  return rows[0]!.n;
}

describe('tenancy plan', () => {
  it('free -> business -> enterprise -> free: each change moves the tenant online and prints the write pause', { timeout: 180_000 }, async () => {
    const { cli, slug, admin } = suite();
    const s = slug('planned');
    const tenant = json<Tenant>(await cli(['create', '--slug', s, '--name', 'Planned', '--strategy', 'rls', '--json']));
    await admin.query(`insert into public.projects (tenant_id, name) values ($1, 'alpha'), ($1, 'beta')`, [tenant.id]);
    // Created without a plan row: free.
    expect(await state(s)).toEqual({ strategy: 'rls', plan: null, pending: null });

    const business = await cli(['plan', s, 'business']);
    expect(business.code, business.stderr).toBe(0);
    expect(business.stdout).toMatch(new RegExp(`^Changed ${s} from free to business: moved rls -> schema, 2 rows in \\d+ ms; its requests waited \\d+ ms`));
    expect(await state(s)).toEqual({ strategy: 'schema', plan: 'business', pending: null });

    const enterprise = await cli(['plan', s, 'enterprise', '--json']);
    expect(enterprise.code, enterprise.stderr).toBe(0);
    const summary = json<{ from: string; to: string; strategy: { from: string; to: string }; rows: number; pauseMs: number }>(enterprise);
    expect(summary).toMatchObject({ from: 'business', to: 'enterprise', strategy: { from: 'schema', to: 'database' }, rows: 2 });
    expect(summary.pauseMs).toBeGreaterThan(0);
    expect(await state(s)).toEqual({ strategy: 'database', plan: 'enterprise', pending: null });

    // The downgrade moves it back to the shared tables.
    const free = await cli(['plan', s, 'free']);
    expect(free.code, free.stderr).toBe(0);
    expect(free.stdout).toMatch(/from enterprise to free: moved database -> rls, 2 rows/);
    expect(await state(s)).toEqual({ strategy: 'rls', plan: 'free', pending: null });
    expect(await projectCount(s)).toBe(2);

    // Asking for the plan in effect moves nothing.
    const again = await cli(['plan', s, 'free']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${s} is on free (rls); no move was needed.`);
  });

  it('an unknown plan: exit 2 naming the plans, before anything is opened; nothing changes', async () => {
    const { cli, slug } = suite();
    const s = slug('unplanned');
    expect((await cli(['create', '--slug', s, '--name', 'Unplanned', '--strategy', 'rls'])).code).toBe(0);
    for (const bad of ['gold', 'schema']) {
      const result = await cli(['plan', s, bad]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toMatch(/Allowed choices are free, business, enterprise/);
      expect(result.stdout).toBe('');
    }
    expect(await state(s)).toEqual({ strategy: 'rls', plan: null, pending: null });
  });

  it('a bad slug: exit 2; a tenant that does not exist: exit 1 naming it', async () => {
    const bad = await suite().cli(['plan', 'Not-A-Slug', 'business']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a tenant slug/);
    const missing = await suite().cli(['plan', 'nobody_here', 'business']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Tenant "nobody_here" does not exist');
  });
});
