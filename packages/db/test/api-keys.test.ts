import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { usePreparedDatabase } from './support';

// Per-organisation API keys (control-plane migration 0009). app_user serves tenant requests, so every statement it runs
// is treated as hostile SQL: it may create, list and revoke keys only through the SECURITY DEFINER functions, only for
// the organisation of its verified context, only as an owner or admin there, and never sees a hash. Resolving a
// presented key belongs to app_auth alone.

const prepared = usePreparedDatabase('api_keys');

const USERS = {
  admin: '00000000-0000-4000-a000-0000000000a1',
  member: '00000000-0000-4000-a000-0000000000a2',
  viewer: '00000000-0000-4000-a000-0000000000a3',
  otherAdmin: '00000000-0000-4000-a000-0000000000b1',
};

interface NewKey {
  raw: string;
  prefix: string;
  hash: string;
}

/** What the web app does (apps/web/src/server/api-keys/secret.ts): the database gets the prefix and the hash only. */
function newKey(): NewKey {
  const prefix = `tk_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8)}`;
  const raw = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { raw, prefix, hash: createHash('sha256').update(raw).digest('hex') };
}

async function withRole<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const sqlState = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: { code?: string }) => error.code ?? 'no code',
  );

interface Resolved {
  key_id: string;
  tenant_id: string;
  scope: string;
  user_id: string;
  role: string;
}

describe('API keys in the control plane', () => {
  let tenants: { a: string; b: string };

  const create = (slug: string, userId: string, role: string, name: string, scope: string, key: NewKey) =>
    prepared().tenancy.withControlPlane(
      slug,
      async (tx) => (await tx.query<{ id: string }>('SELECT public.create_api_key($1, $2, $3, $4) AS id', [name, scope, key.prefix, key.hash])).rows[0]!.id,
      { userId, role },
    );
  const resolve = (hash: string) =>
    withRole(prepared().urls.authUrl, async (auth) => (await auth.query<Resolved>('SELECT * FROM public.resolve_api_key($1)', [hash])).rows);

  beforeAll(async () => {
    const { tenancy, admin } = prepared();
    const a = await tenancy.createTenant({ slug: 'keys_a', name: 'Keys A', strategy: 'rls' });
    const b = await tenancy.createTenant({ slug: 'keys_b', name: 'Keys B', strategy: 'schema' });
    tenants = { a: a.id, b: b.id };
    for (const [name, id] of Object.entries(USERS)) {
      await admin.query("INSERT INTO public.users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')", [id, `${name}@api-keys.test`, name]);
    }
    await admin.query(
      "INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $4, 'admin'), ($2, $4, 'member'), ($3, $4, 'viewer'), ($5, $6, 'admin')",
      [USERS.admin, USERS.member, USERS.viewer, a.id, USERS.otherAdmin, b.id],
    );
  });

  it('stores the prefix and the sha256 of the key, never the key; refuses anything that is not a hash', async () => {
    const key = newKey();
    const id = await create('keys_a', USERS.admin, 'admin', 'ci', 'write', key);
    const { rows } = await prepared().admin.query('SELECT * FROM public.api_keys WHERE id = $1', [id]);
    expect(rows).toEqual([
      expect.objectContaining({ tenant_id: tenants.a, prefix: key.prefix, secret_hash: key.hash, scope: 'write', name: 'ci', created_by: USERS.admin }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(key.raw.slice(key.prefix.length + 1));
    // The raw key in place of its hash, a bad scope, an empty name: refused, nothing stored.
    const raw = newKey();
    expect(await sqlState(create('keys_a', USERS.admin, 'admin', 'raw', 'write', { ...raw, hash: raw.raw }))).toBe('22023');
    expect(await sqlState(create('keys_a', USERS.admin, 'admin', 'scope', 'admin', newKey()))).toBe('22023');
    expect(await sqlState(create('keys_a', USERS.admin, 'admin', '  ', 'read', newKey()))).toBe('22023');
    const { rows: count } = await prepared().admin.query('SELECT count(*)::int AS n FROM public.api_keys WHERE tenant_id = $1', [tenants.a]);
    expect(count).toEqual([{ n: 1 }]);
  });

  it('only an owner or admin whose membership agrees may create, list or revoke keys', async () => {
    const key = newKey();
    const id = await create('keys_a', USERS.admin, 'admin', 'managed', 'read', key);
    for (const [user, role] of [
      [USERS.member, 'member'],
      [USERS.viewer, 'viewer'],
      // A context that claims admin for a user whose membership says member: the membership table decides.
      [USERS.member, 'admin'],
      // No user in the context at all.
      [undefined, 'admin'],
    ] as const) {
      const label = `${user ?? 'no user'} as ${role}`;
      expect(await sqlState(create('keys_a', user!, role, 'nope', 'read', newKey())), label).toBe('42501');
      const ctl = <T>(fn: (tx: { query: (text: string, params?: unknown[]) => Promise<pg.QueryResult> }) => Promise<T>) =>
        prepared().tenancy.withControlPlane('keys_a', fn, { userId: user, role });
      expect(await sqlState(ctl((tx) => tx.query('SELECT * FROM public.tenant_api_keys()'))), label).toBe('42501');
      expect(await sqlState(ctl((tx) => tx.query('SELECT public.revoke_api_key($1)', [id]))), label).toBe('42501');
    }
    const { rows } = await prepared().admin.query('SELECT revoked_at FROM public.api_keys WHERE id = $1', [id]);
    expect(rows).toEqual([{ revoked_at: null }]);
  });

  it('app_user reads no key and no hash: not the table, not another organisation`s keys through the functions', async () => {
    const { tenancy, urls } = prepared();
    const bKey = newKey();
    const bId = await create('keys_b', USERS.otherAdmin, 'admin', 'b key', 'write', bKey);
    await withRole(urls.appUrl, async (app) => {
      for (const statement of ['SELECT * FROM public.api_keys', 'UPDATE public.api_keys SET revoked_at = NULL', 'SELECT * FROM public.api_rate_limits']) {
        expect(await sqlState(app.query(statement)), statement).toBe('42501');
      }
      expect(await sqlState(app.query('SELECT * FROM public.resolve_api_key($1)', [bKey.hash]))).toBe('42501');
    });
    // Inside A's admin context: the list is A's, without a hash column; B's key cannot be revoked or resolved.
    const seen = await tenancy.withControlPlane(
      'keys_a',
      async (tx) => {
        const list = await tx.query('SELECT * FROM public.tenant_api_keys()');
        await tx.query('SAVEPOINT probe');
        const revoke = await sqlState(tx.query('SELECT public.revoke_api_key($1)', [bId]));
        await tx.query('ROLLBACK TO SAVEPOINT probe');
        const resolveB = await sqlState(tx.query('SELECT * FROM public.resolve_api_key($1)', [bKey.hash]));
        await tx.query('ROLLBACK TO SAVEPOINT probe');
        return { columns: list.fields.map((f) => f.name), ids: list.rows.map((r) => r.id as string), revoke, resolveB };
      },
      { userId: USERS.admin, role: 'admin' },
    );
    expect(seen.columns).toEqual(['id', 'prefix', 'name', 'scope', 'created_by', 'created_by_name', 'created_at', 'last_used_at', 'revoked_at']);
    expect(seen.ids).not.toContain(bId);
    expect(seen.ids.length).toBeGreaterThan(0);
    expect(seen.revoke).toBe('P0002');
    expect(seen.resolveB).toBe('42501');
    expect(await resolve(bKey.hash)).toEqual([{ key_id: bId, tenant_id: tenants.b, scope: 'write', user_id: USERS.otherAdmin, role: 'admin' }]);
  });

  it('resolves a key for app_auth: a read key as viewer, a write key as its creator`s current role', async () => {
    const { admin } = prepared();
    const read = newKey();
    const write = newKey();
    const readId = await create('keys_a', USERS.admin, 'admin', 'reader', 'read', read);
    const writeId = await create('keys_a', USERS.admin, 'admin', 'writer', 'write', write);
    expect(await resolve(read.hash)).toEqual([{ key_id: readId, tenant_id: tenants.a, scope: 'read', user_id: USERS.admin, role: 'viewer' }]);
    expect(await resolve(write.hash)).toEqual([{ key_id: writeId, tenant_id: tenants.a, scope: 'write', user_id: USERS.admin, role: 'admin' }]);
    expect(await resolve(newKey().hash)).toEqual([]);
    expect(await resolve(read.raw)).toEqual([]);
    // The creator demoted: the write key writes as a member from now on.
    await admin.query("UPDATE public.memberships SET role = 'member' WHERE user_id = $1 AND tenant_id = $2", [USERS.admin, tenants.a]);
    try {
      expect(await resolve(write.hash)).toEqual([expect.objectContaining({ key_id: writeId, role: 'member' })]);
    } finally {
      await admin.query("UPDATE public.memberships SET role = 'admin' WHERE user_id = $1 AND tenant_id = $2", [USERS.admin, tenants.a]);
    }
  });

  it('the viewer role of a read key is refused writes by the tenant tables` policies', async () => {
    const read = newKey();
    await create('keys_a', USERS.admin, 'admin', 'read only', 'read', read);
    const [resolved] = await resolve(read.hash);
    const { tenancy, admin } = prepared();
    const write = tenancy.withTenant(resolved!.tenant_id, (tx) => tx.query("INSERT INTO projects (name) VALUES ('by a read key')"), {
      userId: resolved!.user_id,
      role: resolved!.role,
    });
    expect(await sqlState(write)).toBe('42501');
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM public.projects WHERE name = 'by a read key'");
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('a revoked key resolves to nothing; revoking again keeps the first time', async () => {
    const key = newKey();
    const id = await create('keys_a', USERS.admin, 'admin', 'to revoke', 'write', key);
    expect(await resolve(key.hash)).toHaveLength(1);
    const revoke = () =>
      prepared().tenancy.withControlPlane('keys_a', async (tx) => (await tx.query<{ at: Date }>('SELECT public.revoke_api_key($1) AS at', [id])).rows[0]!.at, {
        userId: USERS.admin,
        role: 'admin',
      });
    const first = await revoke();
    expect(await resolve(key.hash)).toEqual([]);
    expect(await revoke()).toEqual(first);
  });

  it('a key whose creator left the organisation, or whose organisation does not serve, resolves to nothing', async () => {
    const { admin } = prepared();
    const leaver = '00000000-0000-4000-a000-0000000000c1';
    await admin.query("INSERT INTO public.users (id, email, name, password_hash) VALUES ($1, 'leaver@api-keys.test', 'leaver', 'x')", [leaver]);
    await admin.query("INSERT INTO public.memberships (user_id, tenant_id, role) VALUES ($1, $2, 'admin')", [leaver, tenants.a]);
    const key = newKey();
    await create('keys_a', leaver, 'admin', 'leaver key', 'write', key);
    expect(await resolve(key.hash)).toHaveLength(1);
    await admin.query('DELETE FROM public.memberships WHERE user_id = $1 AND tenant_id = $2', [leaver, tenants.a]);
    expect(await resolve(key.hash)).toEqual([]);

    const other = newKey();
    await create('keys_a', USERS.admin, 'admin', 'suspended org', 'read', other);
    await admin.query("UPDATE tenancy.tenants SET status = 'deleting' WHERE id = $1", [tenants.a]);
    try {
      expect(await resolve(other.hash)).toEqual([]);
    } finally {
      await admin.query("UPDATE tenancy.tenants SET status = 'active' WHERE id = $1", [tenants.a]);
    }
    expect(await resolve(other.hash)).toHaveLength(1);
  });

  it('last_used_at is written on first use and then at most once a minute', async () => {
    const { admin } = prepared();
    const key = newKey();
    const id = await create('keys_a', USERS.admin, 'admin', 'usage', 'read', key);
    const lastUsed = async () => (await admin.query<{ t: Date | null }>('SELECT last_used_at AS t FROM public.api_keys WHERE id = $1', [id])).rows[0]!.t;
    expect(await lastUsed()).toBeNull();
    await resolve(key.hash);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await resolve(key.hash);
    expect(await lastUsed()).toEqual(first);
    await admin.query("UPDATE public.api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1", [id]);
    const old = await lastUsed();
    await resolve(key.hash);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(old!.getTime());
  });
});
