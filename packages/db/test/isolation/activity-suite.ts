import type { StrategyName } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import type { PreparedDatabase } from '../support';
import type { Fixture, TenantFixture } from './fixture';
import { superuserQuery, withRuntimeClient } from './placement';

type Role = 'admin' | 'member' | 'viewer';

/**
 * The activity log, attacked in one placement: isolated like every tenant table, read by owners and admins only,
 * written only by the row triggers and log_activity() in the transaction of the change, never by a runtime role.
 * Runs inside describeIsolation, on its database and fixture.
 */
export function describeActivity(strategy: StrategyName, prepared: () => PreparedDatabase, fixture: () => Fixture): void {
  const as = (f: TenantFixture, role: Role) => ({ role, userId: f[role] });
  const run = (f: TenantFixture, role: Role, sql: string, params: unknown[] = []) => prepared().tenancy.queryAs(f.tenant.slug, sql, params, as(f, role));

  describe(`${strategy}: activity_log`, () => {
    it("A's admin reads A's entries, written by the fixture's changes with the member as actor, never the canary's", async () => {
      const { a, canary } = fixture();
      const { rows } = await run(a, 'admin', 'select tenant_id, actor_id, actor_kind, action, subject_id from activity_log order by created_at, action');
      expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([a.tenant.id]));
      expect(rows).toEqual(
        expect.arrayContaining([
          { tenant_id: a.tenant.id, actor_id: a.member, actor_kind: 'user', action: 'project.created', subject_id: a.projectId },
          { tenant_id: a.tenant.id, actor_id: a.member, actor_kind: 'user', action: 'task.created', subject_id: a.taskId },
          { tenant_id: a.tenant.id, actor_id: a.member, actor_kind: 'user', action: 'comment.created', subject_id: a.commentId },
        ]),
      );
      const canaryIds = [canary.projectId, canary.taskId, canary.commentId];
      expect(rows.filter((r) => canaryIds.includes(r.subject_id as string))).toEqual([]);
    });

    it('members and viewers read no entry, and without a context nobody does', async () => {
      const { a } = fixture();
      expect((await logOf(prepared(), a)).length).toBeGreaterThan(0);
      expect((await run(a, 'member', 'select id from activity_log')).rows).toEqual([]);
      expect((await run(a, 'viewer', 'select id from activity_log')).rows).toEqual([]);
      const n = await withRuntimeClient(prepared(), a.tenant, async (client) => (await client.query('select count(*)::int as n from activity_log')).rows[0].n);
      expect(n).toBe(0);
    });

    it('no role inserts, changes, moves or deletes an entry, not even an admin, and a refused write changes nothing', async () => {
      const { a, b } = fixture();
      const before = { a: await logOf(prepared(), a), b: await logOf(prepared(), b) };
      const entry = before.a[0]!.id;
      for (const role of ['admin', 'member'] as const) {
        await expect(
          run(
            a,
            role,
            `insert into activity_log (tenant_id, actor_id, actor_kind, action, subject_type) values ($1, $2, 'user', 'project.deleted', 'project')`,
            [a.tenant.id, a.otherMember],
          ),
        ).rejects.toThrow(/row-level security/);
        expect((await run(a, role, `update activity_log set actor_id = $1 where id = $2`, [a.otherMember, entry])).rowCount).toBe(0);
        expect((await run(a, role, 'update activity_log set tenant_id = $1 where id = $2', [b.tenant.id, entry])).rowCount).toBe(0);
        expect((await run(a, role, 'delete from activity_log')).rowCount).toBe(0);
        await expect(run(a, role, 'truncate activity_log')).rejects.toThrow(/permission denied/);
      }
      expect(await logOf(prepared(), a)).toEqual(before.a);
      expect(await logOf(prepared(), b)).toEqual(before.b);
    });

    it('a change and its entry commit together, and roll back together', async () => {
      const { a } = fixture();
      const before = await logOf(prepared(), a);
      await expect(
        prepared().tenancy.withTenant(
          a.tenant.slug,
          async (tx) => {
            await tx.query(`insert into projects (name) values ('rolled back')`);
            throw new Error('the request fails after its write');
          },
          as(a, 'member'),
        ),
      ).rejects.toThrow('the request fails');
      expect(await logOf(prepared(), a)).toEqual(before);
      const id = await prepared().tenancy.withTenant(
        a.tenant.slug,
        async (tx) => (await tx.query<{ id: string }>(`insert into projects (name) values ('kept') returning id`)).rows[0]!.id,
        as(a, 'member'),
      );
      const added = (await logOf(prepared(), a)).filter((e) => !before.some((old) => old.id === e.id));
      expect(added).toEqual([expect.objectContaining({ action: 'project.created', subject_id: id, actor_id: a.member, detail: { name: 'kept' } })]);
    });

    it('an update records what changed, one that changes nothing records nothing, and a cascade records every row it removes', async () => {
      const { a } = fixture();
      const ids = await prepared().tenancy.withTenant(
        a.tenant.slug,
        async (tx) => {
          const project = (await tx.query<{ id: string }>(`insert into projects (name) values ('cascade') returning id`)).rows[0]!.id;
          const task = (await tx.query<{ id: string }>(`insert into tasks (project_id, title) values ($1, 'task') returning id`, [project])).rows[0]!.id;
          const comment = (await tx.query<{ id: string }>(`insert into comments (task_id, body) values ($1, 'comment') returning id`, [task])).rows[0]!.id;
          return { project, task, comment };
        },
        as(a, 'admin'),
      );
      const before = await logOf(prepared(), a);
      await run(a, 'admin', `update tasks set status = 'done' where id = $1`, [ids.task]);
      await run(a, 'admin', `update tasks set title = title where id = $1`, [ids.task]);
      await run(a, 'admin', 'delete from projects where id = $1', [ids.project]);
      const added = (await logOf(prepared(), a)).filter((e) => !before.some((old) => old.id === e.id));
      // One statement's entries share its time: compared in action order.
      const byAction = (x: { action: string }, y: { action: string }) => x.action.localeCompare(y.action);
      expect(added.map(({ action, subject_id, detail }) => ({ action, subject_id, detail })).sort(byAction)).toEqual([
        { action: 'comment.deleted', subject_id: ids.comment, detail: {} },
        { action: 'project.deleted', subject_id: ids.project, detail: { name: 'cascade' } },
        { action: 'task.deleted', subject_id: ids.task, detail: { title: 'task' } },
        { action: 'task.updated', subject_id: ids.task, detail: { title: 'task', changed: ['status'], from: 'todo', to: 'done' } },
      ]);
    });

    it('log_activity() takes the tenant and the actor from the verified context, and cannot claim a row change', async () => {
      const { a } = fixture();
      const { rows } = await run(a, 'viewer', `select log_activity('export.downloaded', 'activity_log', null, '{"format":"csv"}') as id`);
      const written = (await logOf(prepared(), a)).find((e) => e.id === rows[0]!.id);
      expect(written).toMatchObject({ tenant_id: a.tenant.id, actor_id: a.viewer, actor_kind: 'user', action: 'export.downloaded', detail: { format: 'csv' } });
      const before = await logOf(prepared(), a);
      await expect(run(a, 'admin', `select log_activity('project.deleted', 'project', $1)`, [a.projectId])).rejects.toThrow(/its own writers only/);
      await expect(run(a, 'admin', `select log_activity('export.downloaded', 'x', null, jsonb_build_object('pad', repeat('x', 5000)))`)).rejects.toThrow(
        /activity_log_detail_small/,
      );
      await expect(run(a, 'admin', `select log_activity('Not An Action', 'x')`)).rejects.toThrow(/activity_log_action_format/);
      await expect(
        withRuntimeClient(prepared(), a.tenant, (client) => client.query(`select log_activity('export.downloaded', 'activity_log')`)),
      ).rejects.toThrow(/verified tenant context/);
      expect(await logOf(prepared(), a)).toEqual(before);
    });

    if (strategy === 'schema') {
      it("a schema tenant's writers are its own, cloned from the template with its tables (not replayed), and name its own tables", async () => {
        const { a } = fixture();
        const template = `${prepared().urls.tenancy!.namePrefix!}_template`;
        // The template a tenant is cloned from is its server's own: read both where the tenant lives.
        const latest = async (schema: string) =>
          (await superuserQuery(prepared(), a.tenant, `select max(applied_at) as at from ${schema}.__tenant_migrations`)).rows[0]!.at as Date;
        // A clone copies the template's migration records; a replay writes its own, later ones.
        expect(await latest(a.tenant.schemaName)).toEqual(await latest(template));
        const { rows } = await superuserQuery(
          prepared(),
          a.tenant,
          `select c.relname as "table", p.pronamespace::regnamespace::text as "functionSchema", p.proconfig as config
             from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
            where c.relnamespace = $1::regnamespace and not t.tgisinternal order by 1`,
          [a.tenant.schemaName],
        );
        expect(rows.map((r) => [r.table, r.functionSchema])).toEqual(['comments', 'projects', 'tasks'].map((t) => [t, a.tenant.schemaName]));
        expect(rows[0]!.config).toEqual([`search_path=${a.tenant.schemaName}, tenancy, pg_catalog, pg_temp`]);
      });

      it("from A's context, B's log cannot be written through B's role and B's function", async () => {
        const { a, b } = fixture();
        const before = await logOf(prepared(), b);
        await expect(
          prepared().tenancy.withTenant(
            a.tenant.slug,
            async (tx) => {
              await tx.query(`set local role "${b.tenant.roleName!}"`);
              await tx.query(`select "${b.tenant.schemaName}".log_activity('export.downloaded', 'activity_log')`);
            },
            as(a, 'admin'),
          ),
        ).rejects.toThrow(/violates check constraint|row-level security/);
        expect(await logOf(prepared(), b)).toEqual(before);
      });
    }
  });
}

interface Entry {
  id: string;
  tenant_id: string;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  subject_id: string | null;
  detail: Record<string, unknown>;
}

/** The tenant's log as the superuser sees it, oldest first. */
async function logOf(prepared: PreparedDatabase, f: TenantFixture): Promise<Entry[]> {
  const { rows } = await superuserQuery(
    prepared,
    f.tenant,
    `select id, tenant_id, actor_id, actor_kind, action, subject_id, detail from ${f.tenant.schemaName}.activity_log where tenant_id = $1 order by created_at, id`,
    [f.tenant.id],
  );
  return rows as Entry[];
}
