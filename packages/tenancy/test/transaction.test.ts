import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it, beforeAll } from 'vitest';
import { createTenancy, TenantContextError, type Tenancy } from '../src/index';
import { deriveKey, signContext } from '../src/context/token';
import { APP_PASSWORD, CONTEXT_SECRET, baseConfig, roleUrl, useTenancy } from './support';

const suite = useTenancy('transaction');
const USER = '00000000-0000-4000-8000-00000000000a';

describe('withTenant / queryAs', () => {
  beforeAll(async () => {
    await suite().tenancy.createTenant({ slug: 'tx_a', name: 'A', strategy: 'rls' });
    await suite().tenancy.createTenant({ slug: 'tx_b', name: 'B', strategy: 'rls' });
  });

  it("signs the roles the configuration names: a queryAs without one, and the library's own maintenance", async () => {
    const { db, tenancy } = suite();
    const other = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, contextRoles: { maintenance: 'admin', default: 'member' } });
    try {
      expect((await tenancy.queryAs<{ role: string }>('tx_a', 'select tenancy.current_app_role() as role')).rows).toEqual([{ role: 'viewer' }]);
      expect((await other.queryAs<{ role: string }>('tx_a', 'select tenancy.current_app_role() as role')).rows).toEqual([{ role: 'member' }]);
    } finally {
      await other.close();
    }
  });

  it('commits on success, and the context is gone after the transaction', async () => {
    const { db, tenancy } = suite();
    // A pool of one whose connection the test can reach while it sits idle in the pool.
    const connections: pg.Client[] = [];
    class RecordingClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        connections.push(this);
      }
    }
    const app = createTenancy({ ...baseConfig(db), adminUrl: undefined, namePrefix: tenancy.config.namePrefix, appPoolSize: 1, clientClass: RecordingClient });
    try {
      const pid = await app.withTenant(
        'tx_a',
        async (tx) => {
          await tx.query(`insert into notes (body) values ('kept')`);
          return (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        },
        { role: 'admin' },
      );
      expect(connections).toHaveLength(1);
      // Outside any tenant transaction, on the very server connection that ran A's: no context, no rows.
      const { rows } = await connections[0]!.query<{ pid: number; ctx: string | null; tenant: string | null; n: number }>(
        `select pg_backend_pid() as pid, current_setting('tenancy.context', true) as ctx, tenancy.current_tenant_id() as tenant, (select count(*)::int from notes) as n`,
      );
      const { pid: leftoverPid, ctx, tenant, n } = rows[0]!;
      expect(leftoverPid).toBe(pid);
      expect({ ctx: ctx ?? '', tenant, n }).toEqual({ ctx: '', tenant: null, n: 0 });
      // And the row was committed: A's next call sees it.
      expect((await app.queryAs('tx_a', `select body from notes where body = 'kept'`)).rowCount).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('rolls back when fn throws, and releases the client', async () => {
    const { tenancy } = suite();
    await expect(
      tenancy.withTenant(
        'tx_a',
        async (tx) => {
          await tx.query(`insert into notes (body) values ('rolled back')`);
          throw new Error('boom');
        },
        { role: 'admin' },
      ),
    ).rejects.toThrow('boom');
    expect((await tenancy.queryAs('tx_a', `select 1 from notes where body = 'rolled back'`)).rowCount).toBe(0);
  });

  it('refuses to report success for a transaction the server rolled back (a swallowed statement error)', async () => {
    const { tenancy } = suite();
    await expect(
      tenancy.withTenant(
        'tx_a',
        async (tx) => {
          await tx.query(`insert into notes (body) values ('lost')`);
          await tx.query('select 1/0').catch(() => undefined);
        },
        { role: 'admin' },
      ),
    ).rejects.toThrow(TenantContextError);
    expect((await tenancy.queryAs('tx_a', `select 1 from notes where body = 'lost'`)).rowCount).toBe(0);
  });

  it('gives fn a drizzle instance on the same transaction; drizzle transactions nest as savepoints', async () => {
    const { tenancy } = suite();
    const result = await tenancy.withTenant(
      'tx_b',
      async (tx) => {
        await tx.db.execute(sql`insert into notes (body) values ('via drizzle')`);
        await tx.db
          .transaction(async (inner) => {
            await inner.execute(sql`insert into notes (body) values ('inner, rolled back')`);
            throw new Error('inner');
          })
          .catch(() => undefined);
        const rows = await tx.db.execute<{ body: string; tenant_id: string }>(sql`select body, tenant_id from notes`);
        return {
          rows: rows.rows,
          txPid: (await tx.query('select pg_backend_pid() as p')).rows[0]!.p,
          dbPid: (await tx.db.execute(sql`select pg_backend_pid() as p`)).rows[0]!.p,
        };
      },
      { role: 'admin' },
    );
    expect(result.rows.map((r) => r.body)).toEqual(['via drizzle']);
    expect(result.txPid).toBe(result.dbPid);
  });

  it("runs rls tenants on the shared tables' search_path: set at connect on a direct connection, in each transaction when the app URL brings options of its own", async () => {
    const { db, tenancy } = suite();
    const PATH_SQL =
      "select current_setting('search_path') as path, source, current_setting('statement_timeout') as timeout from pg_settings where name = 'search_path'";
    const read = async (t: Tenancy) => (await t.queryAs<{ path: string; source: string; timeout: string }>('tx_a', PATH_SQL)).rows[0]!;
    // Direct: the connection started on it, so the transaction sets nothing ('client': from the startup packet).
    expect(await read(tenancy)).toEqual({ path: '"public", "tenancy", pg_temp', source: 'client', timeout: '0' });
    // A session-level change inside one call is gone for the next (the reset returns to the startup value).
    await tenancy.queryAs('tx_a', 'set search_path = pg_temp, tenancy');
    expect((await read(tenancy)).path).toBe('"public", "tenancy", pg_temp');
    const url = new URL(baseConfig(db).appUrl);
    url.searchParams.set('options', '-c statement_timeout=4000');
    const own = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, appUrl: url.toString() });
    try {
      expect(await read(own)).toEqual({ path: '"public", "tenancy", pg_temp', source: 'session', timeout: '4s' });
    } finally {
      await own.close();
    }
  });

  it('a transaction that runs no statement costs no round trip and still returns', async () => {
    await expect(suite().tenancy.withTenant('tx_a', async () => 'nothing', { role: 'viewer' })).resolves.toBe('nothing');
  });

  it('refuses several statements in one string (no stacked injection)', async () => {
    await expect(suite().tenancy.queryAs('tx_a', `select 1; select 2`)).rejects.toThrow(/multiple commands/);
  });

  it('refuses named prepared statements when the pooler is PgBouncer in transaction mode', async () => {
    const { db } = suite();
    const tenancy = createTenancy({ ...baseConfig(db), pooler: { kind: 'pgbouncer', mode: 'transaction' } });
    try {
      const error = await tenancy
        .withTenant(
          'tx_a',
          (tx) =>
            tx.db
              .select({ one: sql`1` })
              .from(sql`notes`)
              .prepare('named_one')
              .execute(),
          { role: 'viewer' },
        )
        .then(
          () => undefined,
          (e: Error) => e,
        );
      // drizzle wraps driver errors; ours is the cause.
      expect(error?.cause).toBeInstanceOf(TenantContextError);
      expect((error?.cause as Error).message).toMatch(/Named prepared statement "named_one" refused/);
    } finally {
      await tenancy.close();
    }
  });

  it('a process holding another secret cannot even look a tenant up', async () => {
    const { db, tenancy } = suite();
    await tenancy.withTenant('tx_a', (tx) => tx.query(`insert into notes (body) values ('secret')`), { role: 'admin' });
    const other = createTenancy({ ...baseConfig(db), contextSecret: 'a-different-secret-0123456789-abcdefgh' });
    try {
      // Another secret cannot even look the tenant up: the catalog answers only proofs of the deployment's key.
      await expect(other.queryAs('tx_a', 'select * from notes')).rejects.toThrow(/contextSecret is not the deployment's/);
    } finally {
      await other.close();
    }
    expect((await tenancy.queryAs('tx_a', 'select * from notes')).rowCount).toBeGreaterThan(0);
  });

  describe('the database itself refuses a token that is expired, empty or missing', () => {
    const key = deriveKey(CONTEXT_SECRET);
    const nothing = { n: 0, tenant: null, user: null, role: null };
    const SEEN = `(select count(*)::int from notes) as n, tenancy.current_tenant_id() as tenant,
                  tenancy.current_user_id() as "user", tenancy.current_app_role() as role`;
    /** What A's transaction sees once the test has replaced the library's token with its own. */
    const seenWith = (token: string) =>
      suite().tenancy.withTenant(
        'tx_a',
        async (tx) => {
          await tx.query(`select set_config('tenancy.context', $1, true)`, [token]);
          return (await tx.query<{ n: number; tenant: string | null; user: string | null; role: string | null }>(`select ${SEEN}`)).rows[0]!;
        },
        { role: 'viewer' },
      );

    it('a correctly signed token whose expiry has passed: no rows, no tenant', async () => {
      const { tenancy } = suite();
      const tenantA = await tenancy.getTenant('tx_a');
      await tenancy.withTenant('tx_a', (tx) => tx.query(`insert into notes (body) values ('expiry')`), { role: 'admin' });
      const now = Math.floor(Date.now() / 1000);
      const sign = (expiresAt: number) => signContext({ tenantId: tenantA.id, userId: USER, role: 'admin', expiresAt }, key);
      // The same token with a future expiry is accepted, so only the expiry can refuse the other.
      const valid = await seenWith(sign(now + 600));
      expect(valid).toMatchObject({ tenant: tenantA.id, user: USER, role: 'admin' });
      expect(valid.n).toBeGreaterThan(0);
      expect(await seenWith(sign(now - 60))).toEqual(nothing);
    });

    it('an empty token, and a connection that never had one: no rows, no tenant', async () => {
      const { db, tenancy } = suite();
      await tenancy.withTenant('tx_a', (tx) => tx.query(`insert into notes (body) values ('no token')`), { role: 'admin' });
      expect(await seenWith('')).toEqual(nothing);
      // A fresh app-role connection: the setting does not even exist there.
      const client = new pg.Client({ connectionString: roleUrl(db.url, 'app_user', APP_PASSWORD) });
      await client.connect();
      try {
        const { rows } = await client.query(`select current_setting('tenancy.context', true) as ctx, ${SEEN}`);
        expect(rows[0]).toEqual({ ctx: null, ...nothing });
      } finally {
        await client.end();
      }
    });
  });
});
