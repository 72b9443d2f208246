import { randomUUID } from 'node:crypto';
import type { StrategyName, TenantTx } from '@repo/tenancy';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreparedDatabase } from '../support';
import type { Fixture, TenantFixture } from './fixture';
import { superuserQuery, withRuntimeClient } from './placement';

/**
 * Support access, attacked in one placement: an operator's request (a `support` context), an owner's or admin's
 * approval for at most an hour, the resolution in the transaction of every read made under it (which writes the read
 * to the activity log), revocation and expiry, and no write for anyone but the functions. Runs inside
 * describeIsolation, on its database and fixture.
 */
export function describeSupport(strategy: StrategyName, prepared: () => PreparedDatabase, fixture: () => Fixture): void {
  const operator = randomUUID();
  const otherOperator = randomUUID();
  const support = (id = operator) => ({ role: 'support', userId: id });
  const within = <T>(f: TenantFixture, context: { role: string; userId: string }, fn: (tx: TenantTx) => Promise<T>) =>
    prepared().tenancy.withTenant(f.tenant.slug, fn, context);
  const one = async <T>(f: TenantFixture, context: { role: string; userId: string }, sql: string, params: unknown[] = []): Promise<T> =>
    (await prepared().tenancy.queryAs(f.tenant.slug, sql, params, context)).rows[0] as T;
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'answered',
      (e: { code?: string }) => e.code ?? 'no code',
    );
  /** A page of an operator's support view: the resolution first, then the reads, in one transaction. */
  const view = (f: TenantFixture, path: string, id = operator) =>
    within(f, support(id), async (tx) => {
      const ends = (await tx.query<{ ends: Date }>('select support_access_enter($1) as ends', [path])).rows[0]!.ends;
      const projects = (await tx.query<{ id: string }>('select id from projects')).rows.map((r) => r.id);
      return { ends, projects };
    });

  describe(`${strategy}: support access`, () => {
    let request: string;

    beforeAll(async () => {
      const { a } = fixture();
      request = (await one<{ id: string }>(a, support(), 'select support_access_request($1, $2) as id', ['ops@support.test', 'customer ticket 42'])).id;
    });

    it("the request is the operator's and the owners' and admins' to read, nobody else's", async () => {
      const { a } = fixture();
      const read = (context: { role: string; userId: string }) =>
        prepared().tenancy.queryAs(a.tenant.slug, 'select id, reason from support_access', [], context);
      expect((await read({ role: 'admin', userId: a.admin })).rows).toEqual([{ id: request, reason: 'customer ticket 42' }]);
      expect((await read(support())).rows).toEqual([{ id: request, reason: 'customer ticket 42' }]);
      expect((await read(support(otherOperator))).rows).toEqual([]);
      expect((await read({ role: 'member', userId: a.member })).rows).toEqual([]);
      expect((await read({ role: 'viewer', userId: a.viewer })).rows).toEqual([]);
      // One open request per operator: asking again is refused until this one is settled.
      expect(await errorOf(one(a, support(), 'select support_access_request($1, $2)', ['ops@support.test', 'again']))).toBe('23505');
      // Only a support context asks.
      expect(await errorOf(one(a, { role: 'admin', userId: a.admin }, 'select support_access_request($1, $2)', ['a@b.test', 'x']))).toBe('42501');
    });

    it('before approval the operator reads nothing, and the refused attempt leaves no trace', async () => {
      const { a } = fixture();
      const before = await entries(prepared(), a);
      expect(await errorOf(view(a, '/support/a'))).toBe('TS001');
      expect(await entries(prepared(), a)).toEqual(before);
    });

    it('without a live grant a support context reads no row of any tenant table, even one that skips support_access_enter', async () => {
      const { a } = fixture();
      const read = (table: string, id = operator) => prepared().tenancy.queryAs(a.tenant.slug, `select id from ${table}`, [], support(id));
      for (const table of ['projects', 'tasks', 'comments']) {
        // The operator's request is still open (not approved); the other operator never asked.
        expect((await read(table)).rows).toEqual([]);
        expect((await read(table, otherOperator)).rows).toEqual([]);
      }
    });

    it('only an owner or admin approves, for 1 to 60 minutes; nobody writes the grant directly', async () => {
      const { a } = fixture();
      expect(await errorOf(one(a, { role: 'member', userId: a.member }, 'select support_access_approve($1, 30)', [request]))).toBe('42501');
      expect(await errorOf(one(a, support(), 'select support_access_approve($1, 30)', [request]))).toBe('42501');
      expect(await errorOf(one(a, { role: 'admin', userId: a.admin }, 'select support_access_approve($1, 61)', [request]))).toBe('22023');
      for (const context of [support(), { role: 'admin', userId: a.admin }]) {
        const run = (sql: string, params: unknown[]) => prepared().tenancy.queryAs(a.tenant.slug, sql, params, context);
        expect(
          (
            await run(`update support_access set approved_by = $2, approved_at = now(), expires_at = now() + interval '9 hours' where id = $1`, [
              request,
              a.admin,
            ])
          ).rowCount,
        ).toBe(0);
        await expect(
          run(
            `insert into support_access (tenant_id, operator_id, operator_email, reason, approved_by, approved_at, expires_at) values ($1, $2, 'x@y.test', 'x', $2, now(), now() + interval '1 hour')`,
            [a.tenant.id, operator],
          ),
        ).rejects.toThrow(/row-level security/);
      }
      expect(await errorOf(view(a, '/support/a'))).toBe('TS001');
      const { ends } = await one<{ ends: Date }>(a, { role: 'admin', userId: a.admin }, 'select support_access_approve($1, 30) as ends', [request]);
      expect(ends.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
      expect(ends.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    });

    it("with the grant, each read is in A's activity log in its own transaction, as the operator, with the path; B stays closed", async () => {
      const { a, b } = fixture();
      const before = await entries(prepared(), a);
      const seen = await view(a, '/support/a/projects');
      expect(seen.projects).toContain(a.projectId);
      const added = (await entries(prepared(), a)).filter((e) => !before.some((old) => old.id === e.id));
      expect(added).toEqual([
        expect.objectContaining({
          actor_id: operator,
          actor_kind: 'support',
          action: 'support.viewed',
          subject_id: request,
          detail: { path: '/support/a/projects' },
        }),
      ]);
      // A read that fails takes its log entry with it, and a page that logs nothing reads nothing.
      await expect(
        within(a, support(), async (tx) => {
          await tx.query('select support_access_enter($1)', ['/support/a/broken']);
          await tx.query('select no_such_column from projects');
        }),
      ).rejects.toThrow(/no_such_column/);
      expect((await entries(prepared(), a)).filter((e) => (e.detail as { path?: string }).path === '/support/a/broken')).toEqual([]);
      // Another operator, and this operator in another tenant, have no grant.
      expect(await errorOf(view(a, '/support/a', otherOperator))).toBe('TS001');
      expect(await errorOf(view(b, '/support/b'))).toBe('TS001');
    });

    it('support access is read-only: no write of any tenant table, whatever the grant', async () => {
      const { a } = fixture();
      const run = (sql: string, params: unknown[] = []) => prepared().tenancy.queryAs(a.tenant.slug, sql, params, support());
      await expect(run(`insert into projects (name) values ('by support')`)).rejects.toThrow(/row-level security/);
      expect((await run(`update projects set name = 'by support' where id = $1`, [a.projectId])).rowCount).toBe(0);
      expect((await run('delete from comments where id = $1', [a.commentId])).rowCount).toBe(0);
      expect((await run('delete from activity_log')).rowCount).toBe(0);
      expect((await run('select id from activity_log')).rows).toEqual([]);
    });

    it('the database refuses a grant longer than an hour, however it is written', async () => {
      const { a } = fixture();
      await expect(
        superuserQuery(
          prepared(),
          a.tenant,
          `update ${a.tenant.schemaName}.support_access set expires_at = approved_at + interval '61 minutes' where id = $1`,
          [request],
        ),
      ).rejects.toThrow(/support_access_at_most_an_hour/);
    });

    it('expiry ends the access, and so does a revocation, which only an owner or admin makes', async () => {
      const { a } = fixture();
      expect((await view(a, '/support/a')).projects.length).toBeGreaterThan(0);
      // An hour-long grant that began 61 minutes ago.
      await superuserQuery(
        prepared(),
        a.tenant,
        `update ${a.tenant.schemaName}.support_access set approved_at = now() - interval '61 minutes', expires_at = now() - interval '1 minute' where id = $1`,
        [request],
      );
      expect(await errorOf(view(a, '/support/a'))).toBe('TS001');
      const second = (await one<{ id: string }>(a, support(), 'select support_access_request($1, $2) as id', ['ops@support.test', 'follow-up'])).id;
      await one(a, { role: 'admin', userId: a.admin }, 'select support_access_approve($1, 5)', [second]);
      expect((await view(a, '/support/a')).projects.length).toBeGreaterThan(0);
      expect(await errorOf(one(a, support(), 'select support_access_revoke($1)', [second]))).toBe('42501');
      expect(await errorOf(one(a, { role: 'viewer', userId: a.viewer }, 'select support_access_revoke($1)', [second]))).toBe('42501');
      await one(a, { role: 'admin', userId: a.admin }, 'select support_access_revoke($1)', [second]);
      expect(await errorOf(view(a, '/support/a'))).toBe('TS001');
      expect((await prepared().tenancy.queryAs(a.tenant.slug, 'select id from projects', [], support())).rows).toEqual([]);
      const actions = (await entries(prepared(), a)).filter((e) => e.subject_id === second).map((e) => e.action);
      expect(actions.sort()).toEqual(['support.approved', 'support.requested', 'support.revoked', 'support.viewed']);
    });

    it('without a context the functions refuse', async () => {
      const { a } = fixture();
      for (const sql of [
        `select support_access_enter('/x')`,
        `select support_access_request('a@b.test', 'x')`,
        `select support_access_revoke('${request}')`,
        `select support_access_approve('${request}', 5)`,
      ]) {
        await expect(withRuntimeClient(prepared(), a.tenant, (client) => client.query(sql))).rejects.toThrow(/only/);
      }
    });
  });
}

interface Entry {
  id: string;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  subject_id: string | null;
  detail: Record<string, unknown>;
}

async function entries(prepared: PreparedDatabase, f: TenantFixture): Promise<Entry[]> {
  const { rows } = await superuserQuery(
    prepared,
    f.tenant,
    `select id, actor_id, actor_kind, action, subject_id, detail from ${f.tenant.schemaName}.activity_log where tenant_id = $1 order by created_at, id`,
    [f.tenant.id],
  );
  return rows as Entry[];
}
