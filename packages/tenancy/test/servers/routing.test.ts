import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, signContext } from '../../src/context/token';
import { ConnectionWaitTimeoutError, type Tenant } from '../../src/index';
import { CONTEXT_SECRET } from '../support';
import { anotherProcess, onServer, serversHolding, useServers } from './support';

/** b serves at most 3 connections across its tenant pools; the primary keeps the deployment's 20. */
const B_CAP = 3;
const suite = useServers({
  label: 'srv_route',
  overrides: (base) => ({ servers: base.servers!.map((s) => (s.name === 'b' ? { ...s, maxConnections: B_CAP } : s)) }),
});

const PLACEMENTS = [
  { slug: 'p_rls', strategy: 'rls', server: 'primary' },
  { slug: 'p_schema', strategy: 'schema', server: 'primary' },
  { slug: 'p_db', strategy: 'database', server: 'primary' },
  { slug: 'b_schema', strategy: 'schema', server: 'b' },
  { slug: 'b_schema2', strategy: 'schema', server: 'b' },
  { slug: 'b_db', strategy: 'database', server: 'b' },
  { slug: 'b_db2', strategy: 'database', server: 'b' },
] as const;

const notes = (rows: { body: string }[]) => rows.map((r) => r.body).sort();

/** The SQLSTATE of a statement run inside `slug`'s transaction, or 'ok'. */
async function outcome(slug: string, sql: string, params: unknown[] = []): Promise<string> {
  return suite()
    .tenancy.withTenant(slug, (tx) => tx.query(sql, params), { role: 'admin' })
    .then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? String(error),
    );
}

describe('routing and isolation across servers', () => {
  const tenants = new Map<string, Tenant>();
  beforeAll(async () => {
    const { tenancy } = suite();
    for (const p of PLACEMENTS) {
      const tenant = await tenancy.createTenant({ slug: p.slug, name: p.slug, strategy: p.strategy, server: p.server });
      tenants.set(p.slug, tenant);
      await tenancy.withTenant(p.slug, (tx) => tx.query('insert into notes (body) values ($1), ($2)', [`${p.slug} 1`, `${p.slug} 2`]), { role: 'admin' });
    }
  });

  it('each tenant sees only its own rows, through withTenant and queryAs, wherever it lives', async () => {
    const { tenancy } = suite();
    for (const { slug } of PLACEMENTS) {
      const inTx = await tenancy.withTenant(slug, (tx) => tx.query<{ body: string }>('select body from notes'), { role: 'viewer' });
      expect(notes(inTx.rows), slug).toEqual([`${slug} 1`, `${slug} 2`]);
      const once = await tenancy.queryAs<{ body: string }>(slug, 'select body from notes');
      expect(notes(once.rows), slug).toEqual([`${slug} 1`, `${slug} 2`]);
      // The connection is on the tenant's server: b's cluster listens on its own port.
      const port = await tenancy.queryAs<{ port: number }>(slug, "select current_setting('port')::int as port");
      const expected = tenants.get(slug)!.server === 'b' ? suite().servers[0]!.cluster.port : new URL(suite().db.url).port;
      expect(String(port.rows[0]!.port), slug).toBe(String(expected));
    }
  });

  it("a tenant's schema or database exists only on its server", async () => {
    const s = suite();
    for (const { slug, strategy, server } of PLACEMENTS) {
      if (strategy === 'rls') continue;
      expect(await serversHolding(s, tenants.get(slug)!), slug).toEqual([server]);
    }
    // b's deployment database has no shared tenant tables: rls tenants live only on the primary.
    expect(await onServer(s.servers[0]!, "select to_regclass('public.notes') as shared")).toEqual([{ shared: null }]);
  });

  it('hostile SQL in a tenant transaction on b reaches no other tenant, on b or on the primary', async () => {
    const other = tenants.get('b_schema2')!;
    const primarySchema = tenants.get('p_schema')!;
    // Another schema on b, by name.
    expect(await outcome('b_schema', `select body from ${pg.escapeIdentifier(other.schemaName)}.notes`)).toBe('42501');
    // Its role exists on b and the app role may assume it (as it does for that tenant's requests), but with this tenant's
    // context the other tenant's rows stay invisible, and the pin refuses this tenant's rows in its tables.
    const theirs = pg.escapeIdentifier(other.schemaName);
    // One transaction per attempt: a refused statement ends its transaction (the library refuses ROLLBACK TO in one).
    const asThem = (sql: string) =>
      suite()
        .tenancy.withTenant(
          'b_schema',
          async (tx) => {
            await tx.query(`set role ${pg.escapeIdentifier(other.roleName!)}`);
            return (await tx.query<{ n?: number }>(sql)).rows[0]?.n ?? 'written';
          },
          { role: 'admin' },
        )
        .catch((e: { code?: string }) => e.code);
    expect([0, '42501']).toContain(await asThem(`select count(*)::int as n from ${theirs}.notes`));
    expect(await asThem(`insert into ${theirs}.notes (body) values ('planted')`)).not.toBe('written');
    // A database tenant's login role is no member of any other role; a primary tenant's role does not exist on b.
    expect(await outcome('b_db', `set role ${pg.escapeIdentifier(other.roleName!)}`)).toBe('42501');
    expect(await outcome('b_schema', `set role ${pg.escapeIdentifier(primarySchema.roleName!)}`)).toBe('22023');
    // The primary tenant's schema is not on b at all.
    expect(await outcome('b_schema', `select body from ${pg.escapeIdentifier(primarySchema.schemaName)}.notes`)).toBe('42P01');
    // A context signed for the other tenant (a leaked token) opens nothing of its: the role and search path stay this tenant's.
    const leaked = signContext({ tenantId: other.id, role: 'admin', expiresAt: Math.floor(Date.now() / 1000) + 300 }, deriveKey(CONTEXT_SECRET));
    const { tenancy } = suite();
    const withLeaked = (sql: string) =>
      tenancy
        .withTenant(
          'b_schema',
          async (tx) => {
            await tx.query(`select set_config('tenancy.context', $1, true)`, [leaked]);
            return notes((await tx.query<{ body: string }>(sql)).rows);
          },
          { role: 'admin' },
        )
        .catch((e: { code?: string }) => e.code);
    // The pin on this tenant's tables keeps the other tenant's id from matching; the other schema stays closed.
    expect(await withLeaked('select body from notes')).toEqual([]);
    expect(await withLeaked(`select body from ${pg.escapeIdentifier(other.schemaName)}.notes`)).toBe('42501');
    // A database tenant on b cannot leave its database, and no extension reaches the primary.
    expect(await outcome('b_db', `create extension dblink`)).toBe('42501');
    expect(await outcome('b_db', `select * from pg_catalog.pg_read_file('postgresql.conf')`)).toBe('42501');
    // Nothing changed for anyone.
    for (const slug of ['b_schema2', 'p_schema', 'p_rls']) {
      expect(notes((await tenancy.queryAs<{ body: string }>(slug, 'select body from notes')).rows), slug).toEqual([`${slug} 1`, `${slug} 2`]);
    }
  });

  it("b's connection cap (its servers entry) holds under concurrent load on its database tenants", async () => {
    const s = suite();
    const b = s.servers[0]!;
    const databases = ['b_db', 'b_db2'].map((slug) => tenants.get(slug)!.databaseName!);
    // Two more database tenants on b: four pools of two would open eight connections without the cap.
    for (const slug of ['b_db3', 'b_db4'])
      databases.push((await s.tenancy.createTenant({ slug, name: slug, strategy: 'database', server: 'b' })).databaseName!);
    const watcher = new pg.Client({ connectionString: b.url() });
    await watcher.connect();
    let most = 0;
    let running = true;
    const watching = (async () => {
      while (running) {
        const { rows } = await watcher.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = any($1)', [databases]);
        most = Math.max(most, rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      const slugs = ['b_db', 'b_db2', 'b_db3', 'b_db4'];
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) => s.tenancy.queryAs<{ n: number }>(slugs[i % 4]!, 'select count(*)::int as n, pg_sleep(0.05) from notes')),
      );
      expect(results.map((r) => r.rows[0]!.n)).toEqual(Array.from({ length: 32 }, (_, i) => (i % 4 < 2 ? 2 : 0)));
      const stats = (await s.tenancy.listServers()).find((i) => i.name === 'b')!.pools;
      expect(stats.maxConnections).toBe(B_CAP);
      expect(stats.open).toBeLessThanOrEqual(B_CAP);
    } finally {
      running = false;
      await watching;
      await watcher.end();
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(B_CAP);
    // The primary's pools have the deployment's cap, not b's.
    expect((await s.tenancy.listServers()).find((i) => i.name === 'primary')!.pools.maxConnections).toBe(20);
  });

  it("a request waiting at b's cap gives up after connectTimeoutMs instead of waiting for ever", async () => {
    const s = suite();
    const TIMEOUT_MS = 1_000;
    // Another process whose cap on b is one connection.
    const tight = anotherProcess(s, {
      connectTimeoutMs: TIMEOUT_MS,
      servers: s.config.servers!.map((x) => (x.name === 'b' ? { ...x, maxConnections: 1 } : x)),
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const holder = tight.withTenant(
      'b_db',
      async (tx) => {
        await tx.query('select 1');
        started();
        await held;
      },
      { role: 'admin' },
    );
    try {
      await holding;
      const began = Date.now();
      const waited = await tight.queryAs('b_db2', 'select 1').then(
        () => 'served',
        (e: Error) => e,
      );
      const ms = Date.now() - began;
      // Not ServerUnavailableError: b answers, its connections are busy.
      expect(waited).toBeInstanceOf(ConnectionWaitTimeoutError);
      expect(waited).toMatchObject({ server: 'b', waitedMs: TIMEOUT_MS });
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(TIMEOUT_MS + 2_000);
    } finally {
      release();
      await holder;
    }
    // Freed, the cap serves the other tenant again.
    expect((await tight.queryAs<{ n: number }>('b_db2', 'select count(*)::int as n from notes')).rows).toEqual([{ n: 2 }]);
    await tight.close();
  }, 20_000);
});
