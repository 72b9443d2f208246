import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '@repo/auth/password';
import type { Tenant } from '@repo/tenancy';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSignInDatabase } from './support';

// Invitations (control-plane migration 0013_invitations): admins manage them in their tenant context as app_user, the
// worker issues the link's token and the link's holder accepts it as app_auth. Expiry, reuse, the wrong address and
// revocation are refused; nobody else reaches them.

const get = useSignInDatabase('invites');

const sha = (value: string) => createHash('sha256').update(value).digest('hex');
let n = 0;

async function user(tenant: Tenant | null, role: 'admin' | 'member' | 'viewer' = 'member', email = `u${++n}-${Date.now()}@example.test`) {
  const { rows } = await get().admin.query<{ id: string }>('INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id', [
    email,
    `User ${n}`,
    '$argon2id$placeholder',
  ]);
  if (tenant) await get().admin.query('INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)', [rows[0]!.id, tenant.id, role]);
  return { id: rows[0]!.id, email };
}

function asMember<T>(tenant: Tenant, userId: string, role: string, sql: string, params: unknown[]): Promise<T[]> {
  return get().tenancy.withControlPlane(tenant.id, async (tx) => (await tx.query(sql, params)).rows as T[], { userId, role });
}

async function invite(tenant: Tenant, adminId: string, email: string, role = 'member'): Promise<{ id: string; token: string }> {
  const [row] = await asMember<{ id: string }>(tenant, adminId, 'admin', 'SELECT public.create_invitation($1, $2) AS id', [email, role]);
  const token = randomBytes(32).toString('base64url');
  const { rows } = await get().auth.query('SELECT * FROM public.issue_invitation_token($1, $2, $3, $4)', [tenant.id, row!.id, sha(token), 3600]);
  expect(rows).toHaveLength(1);
  return { id: row!.id, token };
}

const accept = (token: string, userId: string) => get().auth.query('SELECT * FROM public.accept_invitation($1, $2)', [sha(token), userId]);
const memberRole = async (tenant: Tenant, userId: string) =>
  (await get().admin.query<{ role: string }>('SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2', [tenant.id, userId])).rows[0]?.role;

let acme: Tenant;
let other: Tenant;
let acmeAdmin: { id: string; email: string };
let otherAdmin: { id: string; email: string };

beforeAll(async () => {
  acme = await get().tenancy.createTenant({ slug: 'inv_acme', name: 'Acme', strategy: 'rls' });
  other = await get().tenancy.createTenant({ slug: 'inv_other', name: 'Other', strategy: 'schema' });
  acmeAdmin = await user(acme, 'admin');
  otherAdmin = await user(other, 'admin');
});

describe('creating invitations', () => {
  it('an admin invites; the worker gets what to mail once; the admins list it', async () => {
    const email = `new${Date.now()}@example.test`;
    const { id } = await invite(acme, acmeAdmin.id, email, 'viewer');
    const listed = await asMember<{ id: string; email: string; role: string }>(
      acme,
      acmeAdmin.id,
      'admin',
      'SELECT id, email, role FROM public.tenant_invitations()',
      [],
    );
    expect(listed).toContainEqual({ id, email, role: 'viewer' });
    // A second token for the same invitation is refused: the mailed link is the only one.
    const again = await get().auth.query('SELECT * FROM public.issue_invitation_token($1, $2, $3, $4)', [acme.id, id, sha('x'.repeat(40)), 3600]);
    expect(again.rows).toEqual([]);
    // The stored token is a hash, and no runtime role can read it.
    await expect(get().app.query('SELECT token_hash FROM public.invitations')).rejects.toMatchObject({ code: '42501' });
  });

  it('a member, or a member whose context claims admin, may not invite; an admin of another tenant sees none of them', async () => {
    const member = await user(acme, 'member');
    await expect(asMember(acme, member.id, 'member', 'SELECT public.create_invitation($1, $2)', ['x@example.test', 'member'])).rejects.toMatchObject({
      code: '42501',
    });
    await expect(asMember(acme, member.id, 'admin', 'SELECT public.create_invitation($1, $2)', ['x@example.test', 'member'])).rejects.toMatchObject({
      code: '42501',
    });
    expect(await asMember(other, otherAdmin.id, 'admin', 'SELECT * FROM public.tenant_invitations()', [])).toEqual([]);
  });

  it('refuses a bad role, a bad address, and someone who is already a member', async () => {
    await expect(asMember(acme, acmeAdmin.id, 'admin', 'SELECT public.create_invitation($1, $2)', ['y@example.test', 'owner'])).rejects.toMatchObject({
      code: '22023',
    });
    await expect(asMember(acme, acmeAdmin.id, 'admin', 'SELECT public.create_invitation($1, $2)', ['nope', 'member'])).rejects.toMatchObject({ code: '22023' });
    await expect(
      asMember(acme, acmeAdmin.id, 'admin', 'SELECT public.create_invitation($1, $2)', [acmeAdmin.email.toUpperCase(), 'member']),
    ).rejects.toMatchObject({
      code: 'TA030',
    });
  });
});

describe('accepting', () => {
  it('only the invited address accepts, once; the membership has the invited role', async () => {
    const invitee = await user(null, 'member', `invitee${Date.now()}@example.test`);
    const stranger = await user(null);
    const { token } = await invite(acme, acmeAdmin.id, invitee.email.toUpperCase(), 'viewer');
    await expect(accept(token, stranger.id)).rejects.toMatchObject({ code: 'TA031' });
    expect(await memberRole(acme, stranger.id)).toBeUndefined();
    const { rows } = await accept(token, invitee.id);
    expect(rows).toEqual([{ tenant_id: acme.id, tenant_slug: 'inv_acme' }]);
    expect(await memberRole(acme, invitee.id)).toBe('viewer');
    await expect(accept(token, invitee.id)).rejects.toMatchObject({ code: 'TA020' });
  });

  it('refuses an expired link and a revoked one; revoking belongs to the inviting tenant only', async () => {
    const invitee = await user(null);
    const expired = await invite(acme, acmeAdmin.id, invitee.email);
    await get().admin.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    await expect(accept(expired.token, invitee.id)).rejects.toMatchObject({ code: 'TA020' });

    const revoked = await invite(acme, acmeAdmin.id, invitee.email);
    await expect(asMember(other, otherAdmin.id, 'admin', 'SELECT public.revoke_invitation($1)', [revoked.id])).rejects.toMatchObject({ code: 'TA032' });
    await asMember(acme, acmeAdmin.id, 'admin', 'SELECT public.revoke_invitation($1)', [revoked.id]);
    await expect(accept(revoked.token, invitee.id)).rejects.toMatchObject({ code: 'TA020' });
    expect((await get().auth.query('SELECT * FROM public.invitation_by_token($1)', [sha(revoked.token)])).rows).toEqual([]);
    expect(await memberRole(acme, invitee.id)).toBeUndefined();
  });

  it('an invitee without an account signs up through the link with the invited address, confirmed', async () => {
    const email = `fresh${Date.now()}@example.test`;
    const { token } = await invite(acme, acmeAdmin.id, email, 'member');
    expect((await get().auth.query('SELECT * FROM public.invitation_by_token($1)', [sha(token)])).rows).toEqual([
      { email, role: 'member', organisation: 'Acme' },
    ]);
    const { rows } = await get().auth.query('SELECT * FROM public.sign_up_invited($1, $2, $3)', [
      sha(token),
      'Fresh',
      await hashPassword('a long password here'),
    ]);
    expect(rows[0]).toMatchObject({ email, tenant_slug: 'inv_acme' });
    expect(await memberRole(acme, rows[0].user_id)).toBe('member');
    const { rows: verified } = await get().admin.query('SELECT email_verified_at IS NOT NULL AS ok FROM users WHERE id = $1', [rows[0].user_id]);
    expect(verified).toEqual([{ ok: true }]);
    await expect(
      get().auth.query('SELECT * FROM public.sign_up_invited($1, $2, $3)', [sha(token), 'Again', await hashPassword('a long password here')]),
    ).rejects.toMatchObject({
      code: 'TA020',
    });
  });

  it('signing up through a link for an address that has an account is refused (sign in to accept)', async () => {
    const existing = await user(null);
    const { token } = await invite(acme, acmeAdmin.id, existing.email);
    await expect(
      get().auth.query('SELECT * FROM public.sign_up_invited($1, $2, $3)', [sha(token), 'X', await hashPassword('a long password here')]),
    ).rejects.toMatchObject({
      code: 'TA010',
    });
    // The link still works for the owner of the address.
    await accept(token, existing.id);
    expect(await memberRole(acme, existing.id)).toBe('member');
  });
});

describe('who may call them', () => {
  it('app_user may not run the link functions, app_auth may not manage invitations, and the audit stays clean', async () => {
    for (const statement of [
      `SELECT * FROM public.issue_invitation_token(gen_random_uuid(), gen_random_uuid(), repeat('a', 64), 3600)`,
      `SELECT * FROM public.invitation_by_token(repeat('a', 64))`,
      `SELECT * FROM public.accept_invitation(repeat('a', 64), gen_random_uuid())`,
      `SELECT * FROM public.sign_up_invited(repeat('a', 64), 'x', '$argon2id$x')`,
      `SELECT * FROM public.claim_invitation(repeat('a', 64))`,
      'SELECT * FROM public.invitations',
    ]) {
      await expect(get().app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
    for (const statement of [
      `SELECT public.create_invitation('a@b.c', 'member')`,
      'SELECT * FROM public.tenant_invitations()',
      'SELECT public.revoke_invitation(gen_random_uuid())',
    ]) {
      await expect(get().auth.query(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
    expect((await get().tenancy.audit()).findings.filter((f) => f.severity !== 'low')).toEqual([]);
  });
});
