import { deriveKey, signContext } from '@repo/tenancy/context';
import type { StrategyName, TenantTx } from '@repo/tenancy';
import { beforeAll, describe, expect, it } from 'vitest';
import { INIT_SQL_DEFAULTS } from '../../src/init-sql/generate';
import { usePreparedDatabase } from '../support';
import { buildFixture, layoutOf, type Fixture } from './fixture';
import { describeLayout } from './layout-suite';
import { SECOND, type SecondCluster } from './second-server';

const realKey = deriveKey(INIT_SQL_DEFAULTS.contextSecret);
const wrongKey = deriveKey('an attacker guessing the secret wrongly, 0123456789');
const now = () => Math.floor(Date.now() / 1000);

/**
 * What SQL running as the app role inside A's transaction (an injection, a bug) might try in order
 * to reach B. Each must either fail or leave the transaction still seeing only A.
 */
const CASES: { name: string; sql: (fx: Fixture) => { text: string; params?: unknown[] } }[] = [
  {
    name: 'SET the context setting to a token forged with a wrong key',
    sql: (fx) => ({ text: `set tenancy.context = '${signContext({ tenantId: fx.b.tenant.id, role: 'admin', expiresAt: now() + 600 }, wrongKey)}'` }),
  },
  {
    name: 'set_config of a forged token',
    sql: (fx) => ({
      text: `select set_config('tenancy.context', $1, true)`,
      params: [signContext({ tenantId: fx.b.tenant.id, role: 'admin', expiresAt: now() + 600 }, wrongKey)],
    }),
  },
  {
    name: "set_config of B's real token replayed after expiry",
    sql: (fx) => ({
      text: `select set_config('tenancy.context', $1, false)`,
      params: [signContext({ tenantId: fx.b.tenant.id, role: 'admin', expiresAt: now() - 1 }, realKey)],
    }),
  },
  {
    name: "A's token with the tenant id swapped for B's (signature kept)",
    sql: (fx) => ({
      text: `select set_config('tenancy.context', replace(current_setting('tenancy.context'), $1, $2), true)`,
      params: [fx.a.tenant.id, fx.b.tenant.id],
    }),
  },
  {
    name: "A's token with the role raised to admin (signature kept)",
    sql: () => ({ text: `select set_config('tenancy.context', replace(current_setting('tenancy.context'), '.member.', '.admin.'), true)` }),
  },
  {
    name: 'set_config of every other setting the library uses (search_path, role)',
    sql: () => ({ text: `select set_config('search_path', 'tenancy, public', true), set_config('role', 'app_user', true)` }),
  },
  { name: 'SET ROLE to the owner', sql: () => ({ text: 'set role tenancy_owner' }) },
  { name: 'SET ROLE to the superuser', sql: () => ({ text: 'set role postgres' }) },
  { name: 'SET SESSION AUTHORIZATION', sql: () => ({ text: 'set session authorization tenancy_owner' }) },
  { name: 'RESET ALL', sql: () => ({ text: 'reset all' }) },
  { name: 'DISCARD ALL', sql: () => ({ text: 'discard all' }) },
  { name: 'a changed search_path', sql: () => ({ text: 'set search_path = pg_temp, tenancy, public' }) },
  { name: 'read the key table', sql: () => ({ text: 'select * from tenancy.context_key' }) },
  { name: 'read the tenant catalog', sql: () => ({ text: 'select * from tenancy.tenants' }) },
  {
    name: 'create a function in public',
    sql: () => ({ text: 'create function public.current_tenant_id() returns uuid language sql as $$ select null::uuid $$' }),
  },
  {
    name: 'create a temporary function shadowing the context function',
    sql: (fx) => ({ text: `create function pg_temp.current_tenant_id() returns uuid language sql as $$ select '${fx.b.tenant.id}'::uuid $$` }),
  },
  { name: 'create a policy', sql: () => ({ text: 'create policy open_door on projects using (true)' }) },
  { name: 'ALTER TABLE ... DISABLE ROW LEVEL SECURITY', sql: () => ({ text: 'alter table projects disable row level security' }) },
  { name: 'ALTER TABLE ... NO FORCE ROW LEVEL SECURITY', sql: () => ({ text: 'alter table projects no force row level security' }) },
  { name: 'TRUNCATE', sql: () => ({ text: 'truncate projects cascade' }) },
  {
    name: 'replace the context function',
    sql: () => ({ text: `create or replace function tenancy.current_tenant_id() returns uuid language sql as $$ select null::uuid $$` }),
  },
  {
    name: 'stack a second statement after a harmless one',
    sql: (fx) => ({ text: `select 1; select set_config('tenancy.context', '${fx.b.tenant.id}', true)` }),
  },
];

/** Given a second cluster, A and B live there and the canary on the primary (fixture.ts, Layout). */
export function describeTamper(strategy: StrategyName, second?: () => SecondCluster): void {
  const layout = layoutOf(second);
  const prepared = usePreparedDatabase(`tamper_${strategy}`, {}, second);
  let fx: Fixture;
  /** A project of A's created by another member: only an admin of A may edit it. */
  let othersProject: string;

  beforeAll(async () => {
    fx = await buildFixture(prepared(), strategy, `tamper_${strategy}`, layout);
    const { rows } = await prepared().tenancy.queryAs<{ id: string }>(fx.a.tenant.slug, `insert into projects (name) values ('not yours') returning id`, [], {
      role: 'member',
      userId: fx.a.otherMember,
    });
    othersProject = rows[0]!.id;
  });

  if (layout === 'two-servers') describeLayout(strategy, prepared, () => fx);

  /** Rows visible in the (possibly tampered) transaction, across every tenant table. */
  const visibleTenants = async (tx: TenantTx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      'select tenant_id from projects union all select tenant_id from tasks union all select tenant_id from comments',
    );
    return new Set(rows.map((r) => r.tenant_id));
  };

  /** Who the (possibly tampered) transaction acts as, and whether it may do what only an admin of A may. */
  const identity = async (tx: TenantTx) => {
    const { rows } = await tx.query<{ role: string | null; user: string | null }>(
      'select tenancy.current_app_role() as role, tenancy.current_user_id() as "user"',
    );
    await tx.query('savepoint admin_only');
    const edited = (await tx.query('update projects set name = name where id = $1', [othersProject])).rowCount;
    await tx.query('rollback to savepoint admin_only');
    // tenant_id and created_by come from column defaults that read the token's claims unverified: the
    // policy must refuse a row whose claims the verified context does not back.
    await tx.query('savepoint insert_probe');
    // Without RETURNING, which a SELECT policy would check too: where the row landed is read afterwards.
    const inserted = await tx.query(`insert into projects (name) values ('tamper probe')`).then(
      async () => {
        const { rows: landed } = await tx.query<{ tenant_id: string; created_by: string | null }>(
          `select tenant_id, created_by from projects where name = 'tamper probe'`,
        );
        return landed[0] ?? 'inserted where this transaction cannot see it';
      },
      () => null,
    );
    await tx.query('rollback to savepoint insert_probe');
    return { ...rows[0]!, edited, inserted };
  };

  describe.each(CASES)(`${strategy} tamper: $name`, ({ sql }) => {
    it("errors, or still acts only as A's member in A", async () => {
      const outcome = await prepared().tenancy.withTenant(
        fx.a.tenant.slug,
        async (tx) => {
          await tx.query('savepoint tamper');
          const { text, params } = sql(fx);
          let failed = false;
          try {
            await tx.query(text, params ?? []);
          } catch {
            failed = true;
            await tx.query('rollback to savepoint tamper');
          }
          // A tamper that leaves the transaction unable to read its tables (permission denied) is a refusal too. A search
          // path sent back to public finds the shared tables on the primary, which A's role may not read, and on another
          // server no table at all.
          await tx.query('savepoint check_visibility');
          try {
            return { failed, seen: await visibleTenants(tx), ...(await identity(tx)) };
          } catch (error) {
            await tx.query('rollback to savepoint check_visibility');
            expect(String(error)).toMatch(fx.a.tenant.server === SECOND ? /permission denied|relation "projects" does not exist/ : /permission denied/);
            return { failed: true, seen: new Set<string>(), role: null, user: null, edited: 0, inserted: null };
          }
        },
        { role: 'member', userId: fx.a.member },
      );
      expect(outcome.seen.has(fx.b.tenant.id)).toBe(false);
      expect(outcome.seen.has(fx.canary.tenant.id)).toBe(false);
      if (!outcome.failed) expect([...outcome.seen].every((id) => id === fx.a.tenant.id)).toBe(true);
      // Nor may it raise the role or change the user: still A's member, or no one at all.
      expect([null, 'member']).toContain(outcome.role);
      expect([null, fx.a.member]).toContain(outcome.user);
      expect(outcome.edited).toBe(0);
      // An insert lands in A as A's member, or not at all.
      expect([null, JSON.stringify({ tenant_id: fx.a.tenant.id, created_by: fx.a.member })]).toContain(outcome.inserted && JSON.stringify(outcome.inserted));
      // The next transaction on the pool must not inherit anything: B sees B, and only B.
      const after = await prepared().tenancy.withTenant(fx.b.tenant.slug, visibleTenants, { role: 'viewer' });
      expect([...after]).toEqual([fx.b.tenant.id]);
    });
  });

  it('the tamper cases ran against real rows (A sees its own rows when left alone)', async () => {
    const seen = await prepared().tenancy.withTenant(fx.a.tenant.slug, visibleTenants, { role: 'viewer' });
    expect([...seen]).toEqual([fx.a.tenant.id]);
  });

  it("the identity check can tell: A's member is refused the admin-only edit, A's admin is not", async () => {
    const { tenancy } = prepared();
    const asMember = await tenancy.withTenant(fx.a.tenant.slug, identity, { role: 'member', userId: fx.a.member });
    expect(asMember).toEqual({ role: 'member', user: fx.a.member, edited: 0, inserted: { tenant_id: fx.a.tenant.id, created_by: fx.a.member } });
    const asAdmin = await tenancy.withTenant(fx.a.tenant.slug, identity, { role: 'admin', userId: fx.a.admin });
    expect(asAdmin).toEqual({ role: 'admin', user: fx.a.admin, edited: 1, inserted: { tenant_id: fx.a.tenant.id, created_by: fx.a.admin } });
  });
}
