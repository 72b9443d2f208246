import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword, verifyPassword } from '@repo/auth/password';
import { beforeAll, describe, expect, it } from 'vitest';

import { changeUserPassword } from '@repo/auth/password-change';
import { createSessionStore } from '@repo/auth/sessions';
import { useSignInDatabase } from './support';

// The server-side sessions as the apps use them, on the real tables with the sign-in roles' own connections, and the
// database's own reasons to end them: a member removed, a password changed.

const prepared = useSignInDatabase('sessions');
const policy = { idleSeconds: 60, maxAgeSeconds: 3600 };

let userId: string;
let tenantId: string;
let operatorId: string;

beforeAll(async () => {
  const { admin, tenancy } = prepared();
  tenantId = (await tenancy.createTenant({ slug: 'sessions_a', name: 'Sessions A', strategy: 'rls' })).id;
  const [user] = (
    await admin.query<{ id: string }>("INSERT INTO public.users (email, name, password_hash) VALUES ('s@sessions.test', 'S', $1) RETURNING id", [
      await hashPassword('old-password-1'),
    ])
  ).rows;
  userId = user!.id;
  await admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'member')", [userId, tenantId]);
  const [operator] = (
    await admin.query<{ id: string }>("INSERT INTO public.operators (email, name, password_hash) VALUES ('o@sessions.test', 'O', 'x') RETURNING id")
  ).rows;
  operatorId = operator!.id;
});

describe('server-side sessions', () => {
  it('are active from sign-in until signed out; an ended one stays ended', async () => {
    const sessions = createSessionStore(prepared().auth, 'user_sessions', policy);
    const id = await sessions.start(userId);
    expect(await sessions.check(id)).toBe('active');
    await sessions.end(id, 'signed-out');
    expect(await sessions.check(id)).toBe('ended');
    const { rows } = await prepared().admin.query('SELECT end_reason FROM public.user_sessions WHERE id = $1', [id]);
    expect(rows).toEqual([{ end_reason: 'signed-out' }]);
  });

  it('end after the idle timeout without a request, and not while requests keep coming', async () => {
    const sessions = createSessionStore(prepared().auth, 'user_sessions', { idleSeconds: 1, maxAgeSeconds: 3600 });
    const idle = await sessions.start(userId);
    const used = await sessions.start(userId);
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      expect(await sessions.check(used), `used, check ${i + 1}`).toBe('active');
    }
    expect(await sessions.check(idle)).toBe('idle');
  });

  it('end at their maximum age whatever the use', async () => {
    const sessions = createSessionStore(prepared().auth, 'user_sessions', { idleSeconds: 1, maxAgeSeconds: 1 });
    const id = await sessions.start(userId);
    expect(await sessions.check(id)).toBe('active');
    await sleep(600);
    expect(await sessions.check(id)).toBe('active');
    await sleep(600);
    expect(await sessions.check(id)).toBe('expired');
  });

  it('know nothing of a forged or malformed id', async () => {
    const sessions = createSessionStore(prepared().auth, 'user_sessions', policy);
    expect(await sessions.check('00000000-0000-4000-8000-000000000000')).toBe('unknown');
    expect(await sessions.check("x'; DROP TABLE public.user_sessions; --")).toBe('unknown');
    expect(await sessions.check(undefined)).toBe('unknown');
  });

  it('all end when the user is removed from a tenant, whoever removes them', async () => {
    const sessions = createSessionStore(prepared().auth, 'user_sessions', policy);
    const ids = [await sessions.start(userId), await sessions.start(userId)];
    await prepared().admin.query('DELETE FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [userId, tenantId]);
    for (const id of ids) expect(await sessions.check(id)).toBe('ended');
    const { rows } = await prepared().admin.query('SELECT DISTINCT end_reason FROM public.user_sessions WHERE id = ANY($1)', [ids]);
    expect(rows).toEqual([{ end_reason: 'membership-removed' }]);
    await prepared().admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'member')", [userId, tenantId]);
  });

  it('a changed password ends every other session of the user and keeps the one that changed it', async () => {
    const { auth, admin } = prepared();
    const sessions = createSessionStore(auth, 'user_sessions', policy);
    const [kept, other, another] = [await sessions.start(userId), await sessions.start(userId), await sessions.start(userId)];
    await changeUserPassword(auth, { userId, newPassword: 'a-new-password-2', keepSessionId: kept });
    expect(await sessions.check(kept)).toBe('active');
    expect(await sessions.check(other)).toBe('ended');
    expect(await sessions.check(another)).toBe('ended');
    const { rows } = await admin.query<{ password_hash: string }>('SELECT password_hash FROM public.users WHERE id = $1', [userId]);
    expect(await verifyPassword(rows[0]!.password_hash, 'a-new-password-2')).toBe(true);
    expect(await verifyPassword(rows[0]!.password_hash, 'old-password-1')).toBe(false);
    // Without a session to keep (or changed by another role, e.g. an operator's tool), all of them end.
    const next = await sessions.start(userId);
    await admin.query('UPDATE public.users SET password_hash = $2 WHERE id = $1', [userId, await hashPassword('third-password-3')]);
    expect(await sessions.check(kept)).toBe('ended');
    expect(await sessions.check(next)).toBe('ended');
    // The setting that named the kept session does not outlive the change on that connection: a later UPDATE there keeps
    // nothing.
    const client = await auth.connect();
    try {
      const third = await sessions.start(userId);
      await client.query('SELECT public.set_user_password($1, $2, $3)', [userId, await hashPassword('fourth-password-4'), third]);
      expect(await sessions.check(third)).toBe('active');
      const { rows: setting } = await client.query<{ keep: string | null }>("SELECT current_setting('auth.keep_session', true) AS keep");
      expect(setting[0]!.keep ?? '').toBe('');
    } finally {
      client.release();
    }
  });

  it('refuses a password that is not an argon2id hash, and app_user may not change passwords', async () => {
    await expect(prepared().auth.query('SELECT public.set_user_password($1, $2, NULL)', [userId, 'plain-text'])).rejects.toThrow(/argon2id/);
    await expect(changeUserPassword(prepared().app, { userId, newPassword: 'injected-password-4', keepSessionId: undefined })).rejects.toThrow(
      /permission denied for function set_user_password/,
    );
  });

  it('belong to their app`s sign-in role only', async () => {
    const { auth, operator, app } = prepared();
    const operatorSessions = createSessionStore(operator, 'operator_sessions', policy);
    const id = await operatorSessions.start(operatorId);
    expect(await operatorSessions.check(id)).toBe('active');
    await expect(createSessionStore(auth, 'operator_sessions', policy).check(id)).rejects.toThrow(/permission denied for table operator_sessions/);
    await expect(createSessionStore(operator, 'user_sessions', policy).start(userId)).rejects.toThrow(/permission denied for table user_sessions/);
    await expect(createSessionStore(app, 'user_sessions', policy).start(userId)).rejects.toThrow(/permission denied for table user_sessions/);
    // An operator's changed password ends their sessions too.
    await prepared().admin.query("UPDATE public.operators SET password_hash = 'changed' WHERE id = $1", [operatorId]);
    expect(await operatorSessions.check(id)).toBe('ended');
  });
});
