import type { StrategyName } from '@repo/tenancy';
import { beforeAll, describe, expect, it } from 'vitest';
import { usePreparedDatabase, type PreparedDatabase } from '../support';
import { describeActivity } from './activity-suite';
import { describeSupport } from './support-suite';
import { buildFixture, layoutOf, TABLES, type Fixture, type TableName, type TenantFixture } from './fixture';
import { describeLayout } from './layout-suite';
import { superuserQuery, withRuntimeClient } from './placement';
import type { SecondCluster } from './second-server';

type Role = 'admin' | 'member' | 'viewer';

/**
 * Tenant isolation and role rules, written once and run for every strategy. Every check runs as
 * the app role through the library; the superuser pool only takes snapshots of what really landed. Given a second
 * cluster, A and B live there and the canary on the primary (fixture.ts, Layout).
 */
export function describeIsolation(strategy: StrategyName, second?: () => SecondCluster): void {
  const layout = layoutOf(second);
  const prepared = usePreparedDatabase(`isolation_${strategy}`, {}, second);
  let fx: Fixture;

  beforeAll(async () => {
    fx = await buildFixture(prepared(), strategy, `iso_${strategy}`, layout);
  });

  if (layout === 'two-servers') describeLayout(strategy, prepared, () => fx);

  const userOf = (f: TenantFixture, role: Role | 'otherMember') => ({ role: role === 'otherMember' ? 'member' : role, userId: f[role] });
  const run = (f: TenantFixture, role: Role | 'otherMember', sql: string, params: unknown[] = []) =>
    prepared().tenancy.queryAs(f.tenant.slug, sql, params, userOf(f, role));

  describe.each(Object.keys(TABLES) as TableName[])(`${strategy}: %s`, (table) => {
    const spec = TABLES[table];

    it("with A's context only A's rows come back, never the canary's", async () => {
      const { rows } = await run(fx.a, 'viewer', `select tenant_id, id from ${table}`);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([fx.a.tenant.id]));
      expect(rows.map((r) => r.id)).not.toContain(spec.idOf(fx.canary));
    });

    it('without a context no row comes back', async () => {
      const n = await withRuntimeClient(prepared(), fx.a.tenant, async (client) => (await client.query(`select count(*)::int as n from ${table}`)).rows[0].n);
      expect(n).toBe(0);
      expect((await snapshot(prepared(), fx.a, table)).length).toBeGreaterThan(0);
    });

    it("an insert naming B's tenant id is refused and changes nothing", async () => {
      const insert = spec.insert(fx.a);
      const before = await snapshot(prepared(), fx.b, table);
      await expect(run(fx.a, 'admin', insert.sql, [fx.b.tenant.id, ...insert.params])).rejects.toThrow(/row-level security|violates/);
      expect(await snapshot(prepared(), fx.b, table)).toEqual(before);
    });

    it("an update that moves A's row to B is refused; B's rows cannot be updated or deleted from A", async () => {
      const beforeA = await snapshot(prepared(), fx.a, table);
      const beforeB = await snapshot(prepared(), fx.b, table);
      await expect(run(fx.a, 'admin', `update ${table} set tenant_id = $1 where id = $2`, [fx.b.tenant.id, spec.idOf(fx.a)])).rejects.toThrow(
        /row-level security|violates/,
      );
      expect((await run(fx.a, 'admin', `update ${table} set ${spec.textColumn} = 'stolen' where id = $1`, [spec.idOf(fx.b)])).rowCount).toBe(0);
      expect((await run(fx.a, 'admin', `delete from ${table} where id = $1`, [spec.idOf(fx.b)])).rowCount).toBe(0);
      expect(await snapshot(prepared(), fx.a, table)).toEqual(beforeA);
      expect(await snapshot(prepared(), fx.b, table)).toEqual(beforeB);
    });

    it('a viewer cannot write', async () => {
      const insert = spec.insert(fx.a);
      const before = await snapshot(prepared(), fx.a, table);
      await expect(run(fx.a, 'viewer', insert.sql, [fx.a.tenant.id, ...insert.params])).rejects.toThrow(/row-level security/);
      expect((await run(fx.a, 'viewer', `update ${table} set ${spec.textColumn} = 'viewer' where id = $1`, [spec.idOf(fx.a)])).rowCount).toBe(0);
      expect((await run(fx.a, 'viewer', `delete from ${table} where id = $1`, [spec.idOf(fx.a)])).rowCount).toBe(0);
      expect(await snapshot(prepared(), fx.a, table)).toEqual(before);
    });

    it("a member cannot edit or delete another member's row, but can edit their own", async () => {
      const before = await snapshot(prepared(), fx.a, table);
      expect((await run(fx.a, 'otherMember', `update ${table} set ${spec.textColumn} = 'other' where id = $1`, [spec.idOf(fx.a)])).rowCount).toBe(0);
      expect((await run(fx.a, 'otherMember', `delete from ${table} where id = $1`, [spec.idOf(fx.a)])).rowCount).toBe(0);
      expect(await snapshot(prepared(), fx.a, table)).toEqual(before);
      expect((await run(fx.a, 'member', `update ${table} set ${spec.textColumn} = ${spec.textColumn} where id = $1`, [spec.idOf(fx.a)])).rowCount).toBe(1);
    });

    it('a member creates rows as themselves; an admin edits and deletes any row of the tenant', async () => {
      const insert = spec.insert(fx.a);
      const created = await run(fx.a, 'otherMember', `${insert.sql} returning id, created_by`, [fx.a.tenant.id, ...insert.params]);
      expect(created.rows[0]!.created_by).toBe(fx.a.otherMember);
      const id = created.rows[0]!.id as string;
      expect((await run(fx.a, 'admin', `update ${table} set ${spec.textColumn} = 'by admin' where id = $1`, [id])).rowCount).toBe(1);
      expect((await run(fx.a, 'admin', `delete from ${table} where id = $1`, [id])).rowCount).toBe(1);
    });
  });

  describeActivity(strategy, prepared, () => fx);
  describeSupport(strategy, prepared, () => fx);

  describe(`${strategy}: children`, () => {
    it("a task cannot point at B's project, a comment cannot point at B's task", async () => {
      const beforeTasks = await snapshot(prepared(), fx.a, 'tasks');
      await expect(run(fx.a, 'admin', 'insert into tasks (project_id, title) values ($1, $2)', [fx.b.projectId, 'x'])).rejects.toThrow(/foreign key/);
      await expect(run(fx.a, 'admin', 'update tasks set project_id = $1 where id = $2', [fx.b.projectId, fx.a.taskId])).rejects.toThrow(/foreign key/);
      await expect(run(fx.a, 'admin', 'insert into comments (task_id, body) values ($1, $2)', [fx.b.taskId, 'x'])).rejects.toThrow(/foreign key/);
      expect(await snapshot(prepared(), fx.a, 'tasks')).toEqual(beforeTasks);
    });
  });
}

/** The tenant's rows as the superuser sees them, to prove a refused write changed nothing. */
async function snapshot(prepared: PreparedDatabase, f: TenantFixture, table: TableName): Promise<unknown[]> {
  const text = TABLES[table].textColumn;
  const { rows } = await superuserQuery(
    prepared,
    f.tenant,
    `select tenant_id, id, ${text} as text, created_by from ${f.tenant.schemaName}.${table} where tenant_id = $1 order by id`,
    [f.tenant.id],
  );
  return rows;
}
