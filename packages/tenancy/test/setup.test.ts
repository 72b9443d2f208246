import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { useTenancy } from './support';

const suite = useTenancy('setup');

/** Everything setup() installs, as text: run twice, it must not differ. */
async function installedState(admin: pg.Pool): Promise<string> {
  const parts = await Promise.all([
    admin.query(
      `select p.proname, p.prosrc, p.proconfig, p.prosecdef, p.provolatile, p.proacl::text from pg_proc p where p.pronamespace = 'tenancy'::regnamespace order by 1`,
    ),
    admin.query(`select c.relname, c.relacl::text, c.relowner::regrole::text from pg_class c where c.relnamespace = 'tenancy'::regnamespace order by 1`),
    admin.query(`select * from tenancy.context_key`),
    admin.query(`select tag from public.__tenant_migrations order by tag`),
    admin.query(`select polname, polpermissive from pg_policy order by 1`),
    admin.query(`select rolname, rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname in ('app_user', 'tenancy_owner') order by 1`),
  ]);
  return JSON.stringify(parts.map((p) => p.rows));
}

describe('setup()', () => {
  it('is idempotent: a second run changes nothing and raises nothing', async () => {
    const { tenancy, admin } = suite();
    const before = await installedState(admin);
    await tenancy.setup();
    expect(await installedState(admin)).toBe(before);
  });

  it('installs the roles of the design: app_user is no superuser, bypasses no RLS, owns nothing', async () => {
    const { admin } = suite();
    const { rows } = await admin.query(`select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = 'app_user'`);
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
    const owned = await admin.query(
      `select count(*)::int as n from pg_class where relowner = 'app_user'::regrole and relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)`,
    );
    expect(owned.rows[0].n).toBe(0);
    const tables = await admin.query(
      `select relname from pg_class where relname in ('notes', 'tenants', 'context_key') and relowner = 'tenancy_owner'::regrole order by 1`,
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(['context_key', 'notes', 'tenants']);
  });

  it('the key table is unreadable for app_user, the context functions are SECURITY DEFINER, STABLE, with a fixed search_path', async () => {
    const { admin } = suite();
    const { rows } = await admin.query(`select has_table_privilege('app_user', 'tenancy.context_key', 'select') as can_read`);
    expect(rows[0].can_read).toBe(false);
    const fns = await admin.query(
      `select proname, prosecdef, provolatile, proconfig from pg_proc where pronamespace = 'tenancy'::regnamespace and proname like 'current_%' order by 1`,
    );
    expect(fns.rows).toHaveLength(3);
    for (const fn of fns.rows) {
      expect(fn.prosecdef).toBe(true);
      expect(fn.provolatile).toBe('s');
      expect(fn.proconfig).toEqual(['search_path=pg_catalog, pg_temp']);
    }
  });

  it("replaces the previous version's reset function with the procedure that tenant calls end with", async () => {
    const { tenancy, admin } = suite();
    await tenancy.createTenant({ slug: 'setup_upgrade', name: 'Upgrade', strategy: 'rls' });
    // What versions before the procedure installed: a function of the same name and arguments, which CALL cannot run.
    await admin.query('drop routine tenancy.reset_session(text)');
    await admin.query(`create function tenancy.reset_session(application_name text default null) returns void language plpgsql as $$ begin reset all; end $$`);
    await expect(tenancy.queryAs('setup_upgrade', 'select 1 as one')).rejects.toThrow(/reset_session/);
    await tenancy.setup();
    const { rows } = await admin.query(`select prokind, proacl::text as acl from pg_proc where oid = 'tenancy.reset_session(text)'::regprocedure`);
    expect(rows).toEqual([{ prokind: 'p', acl: expect.stringMatching(/(^|[{,])=X\//) }]);
    expect((await tenancy.queryAs('setup_upgrade', 'select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
