import { setTimeout as sleep } from 'node:timers/promises';
import type { TenantTx } from '@repo/tenancy';
import pg from 'pg';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MembershipRole } from '../src/schema/control';
import { usePreparedDatabase } from './support';

// The owner role and the member functions of control-plane migration 0008 (set_member_role, remove_member,
// leave_organisation), called as the web calls them: app_user, inside withControlPlane, with a signed context. Every
// rule is checked on what really landed in public.memberships, read by the superuser.

const prepared = usePreparedDatabase('members');

type Role = MembershipRole;
const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];

let tenant: { id: string; slug: string };
let other: { id: string; slug: string };
let serial = 0;

beforeAll(async () => {
  const { tenancy } = prepared();
  const made = await tenancy.createTenant({ slug: 'members_a', name: 'Members A', strategy: 'rls' });
  const elsewhere = await tenancy.createTenant({ slug: 'members_b', name: 'Members B', strategy: 'rls' });
  tenant = { id: made.id, slug: made.slug };
  other = { id: elsewhere.id, slug: elsewhere.slug };
});

// Each test starts from a tenant with no members and adds its own.
beforeEach(async () => {
  await prepared().admin.query('DELETE FROM public.memberships WHERE tenant_id = ANY($1)', [[tenant.id, other.id]]);
});

async function user(role: Role | null, inTenant = tenant): Promise<string> {
  serial += 1;
  const { admin } = prepared();
  const email = `${role ?? 'stranger'}-${serial}@members.test`;
  const { rows } = await admin.query<{ id: string }>(`INSERT INTO public.users (email, name, password_hash) VALUES ($1, $1, 'x') RETURNING id`, [email]);
  const id = rows[0]!.id;
  if (role) await admin.query('INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [id, inTenant.id, role]);
  return id;
}

async function roleOf(userId: string, inTenant = tenant): Promise<Role | null> {
  const { rows } = await prepared().admin.query<{ role: Role }>('SELECT role FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [
    userId,
    inTenant.id,
  ]);
  return rows[0]?.role ?? null;
}

async function owners(): Promise<number> {
  const { rows } = await prepared().admin.query<{ n: string }>("SELECT count(*) AS n FROM public.memberships WHERE tenant_id = $1 AND role = 'owner'", [
    tenant.id,
  ]);
  return Number(rows[0]!.n);
}

/** `sql` as app_user in the tenant's control plane, with a context naming `caller` and claiming `claim`; the SQLSTATE, or 'ok'. */
async function callAs(caller: { userId?: string; claim: string }, sql: string, params: unknown[] = []): Promise<string> {
  return prepared()
    .tenancy.withControlPlane(tenant.slug, (tx) => tx.query(sql, params), { userId: caller.userId, role: caller.claim })
    .then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? String(error),
    );
}

const as = (userId: string, claim: Role) => ({ userId, claim });
const setRole = (caller: { userId?: string; claim: string }, target: string, role: string) =>
  callAs(caller, 'SELECT public.set_member_role($1, $2)', [target, role]);
const remove = (caller: { userId?: string; claim: string }, target: string) => callAs(caller, 'SELECT public.remove_member($1)', [target]);
const leave = (caller: { userId?: string; claim: string }) => callAs(caller, 'SELECT public.leave_organisation()');

describe('set_member_role', () => {
  it('an owner sets any role, owner included, and gets the previous role back', async () => {
    const owner = await user('owner');
    const target = await user('viewer');
    const previous = await prepared().tenancy.withControlPlane(
      tenant.slug,
      async (tx) => (await tx.query<{ previous: string }>('SELECT public.set_member_role($1, $2) AS previous', [target, 'member'])).rows[0]!.previous,
      { userId: owner, role: 'owner' },
    );
    expect(previous).toBe('viewer');
    for (const role of ['admin', 'owner', 'viewer', 'owner'] as const) {
      expect(await setRole(as(owner, 'owner'), target, role), role).toBe('ok');
      expect(await roleOf(target)).toBe(role);
    }
    // With a second owner, an owner may demote another owner, or themselves.
    expect(await setRole(as(owner, 'owner'), target, 'admin')).toBe('ok');
    expect(await setRole(as(owner, 'owner'), target, 'owner')).toBe('ok');
    expect(await setRole(as(owner, 'owner'), owner, 'member')).toBe('ok');
    expect(await roleOf(owner)).toBe('member');
  });

  it('an admin sets admin, member or viewer on members who are not owners', async () => {
    await user('owner');
    const admin = await user('admin');
    const target = await user('member');
    for (const role of ['admin', 'viewer', 'member'] as const) {
      expect(await setRole(as(admin, 'admin'), target, role), role).toBe('ok');
      expect(await roleOf(target)).toBe(role);
    }
    expect(await setRole(as(admin, 'admin'), admin, 'viewer')).toBe('ok');
    expect(await roleOf(admin)).toBe('viewer');
  });

  it('an admin never changes an owner and never makes anyone owner (TA002)', async () => {
    const owner = await user('owner');
    await user('owner');
    const admin = await user('admin');
    const target = await user('member');
    for (const role of ROLES.filter((r) => r !== 'owner')) expect(await setRole(as(admin, 'admin'), owner, role), role).toBe('TA002');
    expect(await setRole(as(admin, 'admin'), target, 'owner')).toBe('TA002');
    expect(await setRole(as(admin, 'admin'), admin, 'owner')).toBe('TA002');
    expect([await roleOf(owner), await roleOf(target), await roleOf(admin)]).toEqual(['owner', 'member', 'admin']);
  });

  it('members and viewers change no role, their own included (42501)', async () => {
    const owner = await user('owner');
    for (const role of ['member', 'viewer'] as const) {
      const caller = await user(role);
      const target = await user('viewer');
      expect(await setRole(as(caller, role), target, 'member'), role).toBe('42501');
      expect(await setRole(as(caller, role), caller, 'admin'), role).toBe('42501');
      expect(await setRole(as(caller, role), owner, 'viewer'), role).toBe('42501');
      expect([await roleOf(caller), await roleOf(target), await roleOf(owner)]).toEqual([role, 'viewer', 'owner']);
    }
  });

  it('the last owner cannot be demoted (TA001), by themselves or anyone', async () => {
    const owner = await user('owner');
    for (const role of ['admin', 'member', 'viewer'] as const) expect(await setRole(as(owner, 'owner'), owner, role), role).toBe('TA001');
    expect(await roleOf(owner)).toBe('owner');
    // Setting the same role is no demotion.
    expect(await setRole(as(owner, 'owner'), owner, 'owner')).toBe('ok');
  });

  it('refuses an unknown role (22023) and a user who is not a member of this tenant (P0002)', async () => {
    const owner = await user('owner');
    const target = await user('member');
    const elsewhere = await user('member', other);
    const stranger = await user(null);
    for (const bad of ['superuser', 'Owner', '', 'admin ']) expect(await setRole(as(owner, 'owner'), target, bad), bad).toBe('22023');
    expect(await setRole(as(owner, 'owner'), elsewhere, 'viewer')).toBe('P0002');
    expect(await setRole(as(owner, 'owner'), stranger, 'viewer')).toBe('P0002');
    expect([await roleOf(target), await roleOf(elsewhere, other)]).toEqual(['member', 'member']);
  });
});

describe('remove_member', () => {
  it('an owner removes admins, members, viewers and other owners, never the last owner (TA001)', async () => {
    const owner = await user('owner');
    for (const role of ROLES) {
      const target = await user(role);
      expect(await remove(as(owner, 'owner'), target), role).toBe('ok');
      expect(await roleOf(target)).toBeNull();
    }
    expect(await remove(as(owner, 'owner'), owner)).toBe('TA001');
    expect(await roleOf(owner)).toBe('owner');
  });

  it('an admin removes admins, members and viewers, never an owner (TA002)', async () => {
    const owner = await user('owner');
    await user('owner');
    const admin = await user('admin');
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const target = await user(role);
      expect(await remove(as(admin, 'admin'), target), role).toBe('ok');
      expect(await roleOf(target)).toBeNull();
    }
    expect(await remove(as(admin, 'admin'), owner)).toBe('TA002');
    expect(await roleOf(owner)).toBe('owner');
  });

  it('members and viewers remove nobody (42501); a stranger is no member (P0002)', async () => {
    const owner = await user('owner');
    const viewer = await user('viewer');
    for (const role of ['member', 'viewer'] as const) {
      const caller = await user(role);
      expect(await remove(as(caller, role), viewer), role).toBe('42501');
      expect(await remove(as(caller, role), owner), role).toBe('42501');
    }
    expect([await roleOf(owner), await roleOf(viewer)]).toEqual(['owner', 'viewer']);
    expect(await remove(as(owner, 'owner'), await user('member', other))).toBe('P0002');
  });
});

describe('leave_organisation', () => {
  it('any member leaves; the last owner cannot (TA001) until there is another', async () => {
    const owner = await user('owner');
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const caller = await user(role);
      expect(await leave(as(caller, role)), role).toBe('ok');
      expect(await roleOf(caller)).toBeNull();
    }
    expect(await leave(as(owner, 'owner'))).toBe('TA001');
    expect(await roleOf(owner)).toBe('owner');
    const second = await user('owner');
    expect(await leave(as(owner, 'owner'))).toBe('ok');
    expect(await roleOf(owner)).toBeNull();
    expect(await leave(as(second, 'owner'))).toBe('TA001');
  });

  it('leaves only the tenant of the context', async () => {
    const caller = await user('member');
    await prepared().admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'member')", [caller, other.id]);
    expect(await leave(as(caller, 'member'))).toBe('ok');
    expect([await roleOf(caller), await roleOf(caller, other)]).toEqual([null, 'member']);
  });
});

describe('sessions', () => {
  const sessionOf = async (userId: string) =>
    (
      await prepared().admin.query<{ id: string }>(
        "INSERT INTO public.user_sessions (account_id, expires_at) VALUES ($1, now() + interval '1 hour') RETURNING id",
        [userId],
      )
    ).rows[0]!.id;
  const ended = async (id: string) =>
    (await prepared().admin.query<{ end_reason: string | null }>('SELECT end_reason FROM public.user_sessions WHERE id = $1', [id])).rows[0]!.end_reason;

  it("a removed member's sessions end, and so do those of a member who leaves; a refused call ends none", async () => {
    const owner = await user('owner');
    const removed = await user('member');
    const leaving = await user('viewer');
    const [ownerSession, removedSession, leavingSession] = [await sessionOf(owner), await sessionOf(removed), await sessionOf(leaving)];
    expect(await remove(as(owner, 'owner'), removed)).toBe('ok');
    expect(await leave(as(leaving, 'viewer'))).toBe('ok');
    expect(await leave(as(owner, 'owner'))).toBe('TA001');
    expect([await ended(removedSession), await ended(leavingSession), await ended(ownerSession)]).toEqual(['membership-removed', 'membership-removed', null]);
  });
});

describe('forged calls', () => {
  it('as each role, a context claiming owner acts with the role the membership row holds', async () => {
    const owner = await user('owner');
    const expected: Record<Role, { promote: string; demote: string; remove: string }> = {
      owner: { promote: 'ok', demote: 'ok', remove: 'ok' },
      admin: { promote: 'TA002', demote: 'TA002', remove: 'TA002' },
      member: { promote: '42501', demote: '42501', remove: '42501' },
      viewer: { promote: '42501', demote: '42501', remove: '42501' },
    };
    for (const role of ROLES) {
      const caller = await user(role);
      const claim = as(caller, 'owner');
      const seen = {
        promote: await setRole(claim, caller, 'owner'),
        // The seeded owner is not the last one while the caller is an owner; for the others it is, and the refusal
        // must come before that check.
        demote: await setRole(claim, owner, 'viewer'),
        remove: await remove(claim, owner),
      };
      expect(seen, role).toEqual(expected[role]);
      if (role === 'owner') {
        // Put the seeded owner back for the next role.
        expect(await setRole(claim, owner, 'owner')).toBe('P0002');
        await prepared().admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'owner')", [owner, tenant.id]);
        await prepared().admin.query('DELETE FROM public.memberships WHERE user_id = $1', [caller]);
      } else {
        expect([await roleOf(caller), await roleOf(owner)], role).toEqual([role, 'owner']);
      }
    }
  });

  it("as each role, a context claiming less than the row acts with the claim: the app's view wins when it is narrower", async () => {
    const owner = await user('owner');
    const target = await user('member');
    expect(await setRole(as(owner, 'viewer'), target, 'admin')).toBe('42501');
    expect(await setRole(as(owner, 'member'), target, 'admin')).toBe('42501');
    expect(await setRole(as(owner, 'admin'), target, 'owner')).toBe('TA002');
    expect(await remove(as(owner, 'viewer'), target)).toBe('42501');
    expect(await roleOf(target)).toBe('member');
  });

  it('a context naming no user, a non-member, or a member of another tenant changes nothing (42501)', async () => {
    const owner = await user('owner');
    const stranger = await user(null);
    const elsewhere = await user('owner', other);
    for (const caller of [{ claim: 'owner' }, as(stranger, 'owner'), as(elsewhere, 'owner')]) {
      expect(await setRole(caller, owner, 'viewer')).toBe('42501');
      expect(await remove(caller, owner)).toBe('42501');
      expect(await leave(caller)).toBe('42501');
    }
    expect(await roleOf(owner)).toBe('owner');
    expect(await roleOf(elsewhere, other)).toBe('owner');
  });

  it('app_user without a context, or writing memberships itself, is refused', async () => {
    const owner = await user('owner');
    const app = new pg.Client({ connectionString: prepared().urls.appUrl });
    await app.connect();
    try {
      const code = (sql: string, params: unknown[] = []) =>
        app.query(sql, params).then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        );
      expect(await code('SELECT public.set_member_role($1, $2)', [owner, 'viewer'])).toBe('42501');
      expect(await code('SELECT public.remove_member($1)', [owner])).toBe('42501');
      expect(await code('SELECT public.leave_organisation()')).toBe('42501');
      expect(await code('SELECT public.member_acting_role()')).toBe('42501');
      expect(await code("UPDATE public.memberships SET role = 'owner'")).toBe('42501');
      expect(await code('DELETE FROM public.memberships')).toBe('42501');
    } finally {
      await app.end();
    }
    expect(await roleOf(owner)).toBe('owner');
  });
});

describe('concurrency', () => {
  /**
   * Runs `first` in a transaction that stays open after it, starts `second` meanwhile and waits until PostgreSQL
   * shows it waiting for a lock (or it has finished), then commits the first. Returns both SQLSTATEs.
   */
  async function overlapping(first: { caller: { userId: string; claim: string }; sql: string; params: unknown[] }, second: typeof first) {
    const { tenancy, admin } = prepared();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let called!: () => void;
    const firstCalled = new Promise<void>((resolve) => (called = resolve));
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? String(error),
      );
    const one = outcome(
      tenancy.withControlPlane(
        tenant.slug,
        async (tx: TenantTx) => {
          try {
            await tx.query(first.sql, first.params);
          } finally {
            called();
          }
          await released;
        },
        { userId: first.caller.userId, role: first.caller.claim },
      ),
    );
    await firstCalled;
    let secondDone = false;
    const two = outcome(
      tenancy.withControlPlane(tenant.slug, (tx) => tx.query(second.sql, second.params), { userId: second.caller.userId, role: second.caller.claim }),
    ).finally(() => (secondDone = true));
    for (let i = 0; i < 200 && !secondDone; i++) {
      const { rows } = await admin.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND usename = 'app_user'",
      );
      if (Number(rows[0]!.n) > 0) break;
      await sleep(25);
    }
    release();
    return Promise.all([one, two]);
  }

  it('two owners demoting each other at once leave one owner', async () => {
    const a = await user('owner');
    const b = await user('owner');
    const results = await overlapping(
      { caller: as(a, 'owner'), sql: 'SELECT public.set_member_role($1, $2)', params: [b, 'admin'] },
      { caller: as(b, 'owner'), sql: 'SELECT public.set_member_role($1, $2)', params: [a, 'admin'] },
    );
    expect(results).toEqual(['ok', 'TA002']);
    expect(await owners()).toBe(1);
    expect([await roleOf(a), await roleOf(b)]).toEqual(['owner', 'admin']);
  });

  it('two owners demoting themselves at once leave one owner', async () => {
    const a = await user('owner');
    const b = await user('owner');
    const results = await overlapping(
      { caller: as(a, 'owner'), sql: 'SELECT public.set_member_role($1, $2)', params: [a, 'member'] },
      { caller: as(b, 'owner'), sql: 'SELECT public.set_member_role($1, $2)', params: [b, 'member'] },
    );
    expect(results).toEqual(['ok', 'TA001']);
    expect(await owners()).toBe(1);
  });

  it('two owners leaving at once leave one owner', async () => {
    const a = await user('owner');
    const b = await user('owner');
    const results = await overlapping(
      { caller: as(a, 'owner'), sql: 'SELECT public.leave_organisation()', params: [] },
      { caller: as(b, 'owner'), sql: 'SELECT public.leave_organisation()', params: [] },
    );
    expect(results).toEqual(['ok', 'TA001']);
    expect(await owners()).toBe(1);
  });
});

describe('tenant tables', () => {
  it("an owner has an admin's rights in every policy: changes and deletes rows others created", async () => {
    const { tenancy } = prepared();
    const owner = await user('owner');
    const member = await user('member');
    const projectId = await tenancy.withTenant(
      tenant.slug,
      async (tx) => {
        const project = await tx.query<{ id: string }>("INSERT INTO projects (name) VALUES ('by the member') RETURNING id");
        const task = await tx.query<{ id: string }>("INSERT INTO tasks (project_id, title) VALUES ($1, 'a task') RETURNING id", [project.rows[0]!.id]);
        await tx.query("INSERT INTO comments (task_id, body) VALUES ($1, 'a comment')", [task.rows[0]!.id]);
        return project.rows[0]!.id;
      },
      { userId: member, role: 'member' },
    );
    const counts = await tenancy.withTenant(
      tenant.slug,
      async (tx) => ({
        comments: (await tx.query("UPDATE comments SET body = 'edited by the owner'")).rowCount,
        tasks: (await tx.query("UPDATE tasks SET title = 'edited by the owner'")).rowCount,
        projects: (await tx.query("UPDATE projects SET name = 'edited by the owner' WHERE id = $1", [projectId])).rowCount,
        inserted: (await tx.query("INSERT INTO projects (name) VALUES ('by the owner')")).rowCount,
        deleted: (await tx.query('DELETE FROM projects WHERE id = $1', [projectId])).rowCount,
      }),
      { userId: owner, role: 'owner' },
    );
    expect(counts).toEqual({ comments: 1, tasks: 1, projects: 1, inserted: 1, deleted: 1 });
  });
});
