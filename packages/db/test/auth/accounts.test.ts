import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '@repo/auth/password';
import { describe, expect, it } from 'vitest';
import { useSignInDatabase } from './support';

// Sign-up, email verification and password reset as app_auth runs them (control-plane migration 0011_accounts): the
// tokens are stored as hashes, used once, expire, and are bound to their purpose; app_user may call none of it.

const get = useSignInDatabase('accounts');

const token = () => randomBytes(32).toString('base64url');
const sha = (value: string) => createHash('sha256').update(value).digest('hex');

let counter = 0;
async function signUp(overrides: { email?: string; slug?: string } = {}) {
  const n = ++counter;
  const { rows } = await get().auth.query<{ user_id: string; tenant_id: string; tenant_slug: string }>('SELECT * FROM public.sign_up($1, $2, $3, $4, $5)', [
    overrides.email ?? `user${n}@example.test`,
    `User ${n}`,
    await hashPassword('correct horse battery'),
    `Org ${n}`,
    overrides.slug ?? `org_${n}`,
  ]);
  return rows[0]!;
}

async function issue(userId: string, purpose: string, ttl = 3600): Promise<string> {
  const raw = token();
  await get().auth.query('SELECT * FROM public.issue_account_token($1, $2, $3, $4)', [userId, purpose, sha(raw), ttl]);
  return raw;
}

describe('public.sign_up', () => {
  it('creates an unconfirmed user, an active rls organisation as createTenant() would, and the user as its admin', async () => {
    const made = await signUp({ email: 'Ada@Example.test', slug: 'ada_org' });
    const { admin, tenancy } = get();
    const tenant = await tenancy.getTenant('ada_org');
    expect(tenant).toMatchObject({ id: made.tenant_id, strategy: 'rls', status: 'active', schemaName: 'public', databaseName: null, roleName: null });
    const { rows: migrations } = await admin.query<{ tag: string }>('SELECT max(tag) AS tag FROM public.__tenant_migrations');
    expect(tenant.schemaVersion).toBe(migrations[0]!.tag);
    const { rows } = await admin.query('SELECT u.email, u.email_verified_at, m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = $1', [
      made.user_id,
    ]);
    expect(rows).toEqual([{ email: 'Ada@Example.test', email_verified_at: null, role: 'owner' }]);
    // The organisation serves its owner's requests like any rls tenant.
    await tenancy.withTenant(made.tenant_id, (tx) => tx.query(`INSERT INTO projects (name) VALUES ('first')`), { userId: made.user_id, role: 'owner' });
    expect((await tenancy.audit()).findings.filter((f) => f.severity !== 'low')).toEqual([]);
  });

  it('refuses an email that is taken, whatever its case, and changes nothing', async () => {
    await signUp({ email: 'taken@example.test' });
    const before = (await get().admin.query('SELECT count(*)::int AS n FROM tenancy.tenants')).rows[0];
    await expect(signUp({ email: 'TAKEN@example.test' })).rejects.toMatchObject({ code: 'TA010' });
    expect((await get().admin.query('SELECT count(*)::int AS n FROM tenancy.tenants')).rows[0]).toEqual(before);
  });

  it('takes the next free slug when the proposed one is taken', async () => {
    await signUp({ slug: 'same_name' });
    expect((await signUp({ slug: 'same_name' })).tenant_slug).toBe('same_name_2');
  });

  it('refuses bad input with 22023', async () => {
    await expect(signUp({ slug: 'Bad Slug' })).rejects.toMatchObject({ code: '22023' });
    await expect(signUp({ email: 'not-an-email' })).rejects.toMatchObject({ code: '22023' });
    await expect(
      get().auth.query('SELECT * FROM public.sign_up($1, $2, $3, $4, $5)', ['x@example.test', 'X', 'plain-text', 'Org', 'org_plain']),
    ).rejects.toMatchObject({ code: '22023' });
  });
});

describe('email verification tokens', () => {
  it('confirms the address once; the link then no longer works', async () => {
    const user = await signUp();
    const raw = await issue(user.user_id, 'verify-email');
    const stored = await get().admin.query('SELECT token_hash FROM account_tokens WHERE user_id = $1', [user.user_id]);
    expect(stored.rows).toEqual([{ token_hash: sha(raw) }]);
    expect((await get().auth.query('SELECT * FROM public.verify_email($1)', [sha(raw)])).rows[0]).toMatchObject({ user_id: user.user_id });
    expect((await get().auth.query('SELECT public.email_verified($1) AS ok', [user.user_id])).rows[0]).toEqual({ ok: true });
    await expect(get().auth.query('SELECT * FROM public.verify_email($1)', [sha(raw)])).rejects.toMatchObject({ code: 'TA020' });
  });

  it('refuses an expired token, a superseded one, and one issued for another purpose', async () => {
    const user = await signUp();
    const expired = await issue(user.user_id, 'verify-email', 60);
    await get().admin.query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha(expired)]);
    await expect(get().auth.query('SELECT * FROM public.verify_email($1)', [sha(expired)])).rejects.toMatchObject({ code: 'TA020' });
    const first = await issue(user.user_id, 'verify-email');
    const second = await issue(user.user_id, 'verify-email');
    await expect(get().auth.query('SELECT * FROM public.verify_email($1)', [sha(first)])).rejects.toMatchObject({ code: 'TA020' });
    const reset = await issue(user.user_id, 'reset-password');
    await expect(get().auth.query('SELECT * FROM public.verify_email($1)', [sha(reset)])).rejects.toMatchObject({ code: 'TA020' });
    await get().auth.query('SELECT * FROM public.verify_email($1)', [sha(second)]);
    // Confirmed: no new verification token is issued.
    const again = await get().auth.query('SELECT * FROM public.issue_account_token($1, $2, $3, $4)', [user.user_id, 'verify-email', sha(token()), 3600]);
    expect(again.rows).toEqual([]);
  });
});

describe('password reset tokens', () => {
  it('sets the password once, ends every session of the user, and confirms the address', async () => {
    const user = await signUp();
    const { admin, auth } = get();
    await admin.query(`INSERT INTO user_sessions (account_id, expires_at) VALUES ($1, now() + interval '1 hour'), ($1, now() + interval '1 hour')`, [
      user.user_id,
    ]);
    const raw = await issue(user.user_id, 'reset-password');
    const newHash = await hashPassword('a brand new password');
    await auth.query('SELECT * FROM public.reset_password($1, $2)', [sha(raw), newHash]);
    const { rows } = await admin.query('SELECT password_hash, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1', [user.user_id]);
    expect(rows[0]).toEqual({ password_hash: newHash, verified: true });
    const sessions = await admin.query('SELECT end_reason FROM user_sessions WHERE account_id = $1', [user.user_id]);
    expect(sessions.rows).toEqual([{ end_reason: 'password-changed' }, { end_reason: 'password-changed' }]);
    await expect(auth.query('SELECT * FROM public.reset_password($1, $2)', [sha(raw), newHash])).rejects.toMatchObject({ code: 'TA020' });
  });

  it('refuses an expired token and a verification token, changing nothing', async () => {
    const user = await signUp();
    const { admin, auth } = get();
    const before = (await admin.query('SELECT password_hash FROM users WHERE id = $1', [user.user_id])).rows[0];
    const expired = await issue(user.user_id, 'reset-password', 60);
    await admin.query(`UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha(expired)]);
    const hash = await hashPassword('another new password');
    await expect(auth.query('SELECT * FROM public.reset_password($1, $2)', [sha(expired), hash])).rejects.toMatchObject({ code: 'TA020' });
    const verify = await issue(user.user_id, 'verify-email');
    await expect(auth.query('SELECT * FROM public.reset_password($1, $2)', [sha(verify), hash])).rejects.toMatchObject({ code: 'TA020' });
    expect((await admin.query('SELECT password_hash FROM users WHERE id = $1', [user.user_id])).rows[0]).toEqual(before);
  });
});

describe('who may call them', () => {
  it('app_user (tenant requests) may call none of the account functions nor read the tokens', async () => {
    const { app } = get();
    for (const statement of [
      `SELECT * FROM public.sign_up('a@b.c', 'a', '$argon2id$x', 'o', 'oo')`,
      `SELECT * FROM public.issue_account_token(gen_random_uuid(), 'reset-password', repeat('a', 64), 3600)`,
      `SELECT * FROM public.use_account_token('reset-password', repeat('a', 64))`,
      `SELECT * FROM public.verify_email(repeat('a', 64))`,
      `SELECT * FROM public.reset_password(repeat('a', 64), '$argon2id$x')`,
      'SELECT public.email_verified(gen_random_uuid())',
      'SELECT * FROM public.account_tokens',
    ]) {
      await expect(app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
  });
});
