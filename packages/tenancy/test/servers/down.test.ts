import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerUnavailableError, type Tenancy } from '../../src/index';
import { anotherProcess, onServer, useServers, type ExtraServer } from './support';

const CONNECT_TIMEOUT_MS = 2_000;
const suite = useServers({ extra: 2, label: 'srv_down', overrides: { connectTimeoutMs: CONNECT_TIMEOUT_MS } });

const TENANTS = [
  { slug: 'down_b_schema', strategy: 'schema', server: 'b' },
  { slug: 'down_b_db', strategy: 'database', server: 'b' },
  { slug: 'up_rls', strategy: 'rls', server: 'primary' },
  { slug: 'up_schema', strategy: 'schema', server: 'primary' },
  { slug: 'up_db', strategy: 'database', server: 'primary' },
  { slug: 'up_c_db', strategy: 'database', server: 'c' },
] as const;
const ON_B = TENANTS.filter((t) => t.server === 'b').map((t) => t.slug);
const ELSEWHERE = TENANTS.filter((t) => t.server !== 'b').map((t) => t.slug);

/** What a request of each kind ends with, and how long it took. */
async function serve(tenancy: Tenancy, slug: string): Promise<{ withTenant: unknown; queryAs: unknown; ms: number }> {
  const started = Date.now();
  const settle = (p: Promise<{ rows: { n: number }[] }>) =>
    p.then(
      (r) => r.rows[0]!.n,
      (e: unknown) => e,
    );
  const withTenant = await settle(tenancy.withTenant(slug, (tx) => tx.query<{ n: number }>('select count(*)::int as n from notes'), { role: 'admin' }));
  const queryAs = await settle(tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from notes'));
  return { withTenant, queryAs, ms: Date.now() - started };
}

/** app_user's CONNECT on the deployment's database of a server: setup() grants it. */
async function appCanConnect(run: (sql: string) => Promise<{ ok: boolean }[]>): Promise<boolean> {
  const rows = await run("select has_database_privilege('app_user', current_database(), 'CONNECT') as ok");
  return rows[0]!.ok;
}

describe('a server that hangs', () => {
  it("fails its tenants' new connections with ServerUnavailableError after connectTimeoutMs, instead of waiting for ever", async () => {
    const s = suite();
    const c = s.servers[1]!;
    for (const strategy of ['schema', 'database'] as const) await s.tenancy.createTenant({ slug: `hang_${strategy}`, name: 'Hang', strategy, server: 'c' });
    await s.tenancy.createTenant({ slug: 'hang_primary', name: 'Hang', strategy: 'schema' });
    // A process with no connection to c yet: every request of its needs a new one.
    const fresh = anotherProcess(s);
    // The kernel still accepts connections for a stopped postmaster; nothing answers them.
    process.kill(c.cluster.pid, 'SIGSTOP');
    try {
      for (const slug of ['hang_schema', 'hang_database']) {
        const result = await serve(fresh, slug);
        expect(result.withTenant, slug).toBeInstanceOf(ServerUnavailableError);
        expect(result.queryAs, slug).toBeInstanceOf(ServerUnavailableError);
        expect(result.ms, slug).toBeGreaterThanOrEqual(2 * CONNECT_TIMEOUT_MS - 100);
        expect(result.ms, slug).toBeLessThan(2 * CONNECT_TIMEOUT_MS + 2_000);
      }
      // The primary's tenants do not wait on c.
      expect(await serve(fresh, 'hang_primary'), 'hang_primary').toMatchObject({ withTenant: 0, queryAs: 0 });
    } finally {
      process.kill(c.cluster.pid, 'SIGCONT');
    }
    for (const slug of ['hang_schema', 'hang_database']) expect(await serve(fresh, slug), slug).toMatchObject({ withTenant: 0, queryAs: 0 });
    await fresh.close();
  });
});

describe('a server that is down', () => {
  let b: ExtraServer;
  let c: ExtraServer;
  beforeAll(async () => {
    const { tenancy, servers } = suite();
    [b, c] = servers as [ExtraServer, ExtraServer];
    for (const t of TENANTS) {
      await tenancy.createTenant({ slug: t.slug, name: t.slug, strategy: t.strategy, server: t.server });
      await tenancy.withTenant(t.slug, (tx) => tx.query(`insert into notes (body) values ('x')`), { role: 'admin' });
    }
    // Every pool holds a connection when b goes.
    for (const t of TENANTS) expect((await serve(tenancy, t.slug)).queryAs).toBe(1);
    await b.stop();
  });
  afterAll(async () => {
    // A failed test must not leave b stopped for the next one's clean-up.
    if (!(await isRunning(b))) await b.start();
  });

  it('its tenants fail at once with ServerUnavailableError; the tenants of the other servers serve', async () => {
    const { tenancy } = suite();
    for (const slug of ON_B) {
      // Twice: the first meets the pool's dead connection or a refused one, the second a refused one.
      for (let round = 0; round < 2; round++) {
        const result = await serve(tenancy, slug);
        expect(result.withTenant, slug).toBeInstanceOf(ServerUnavailableError);
        expect(result.queryAs, slug).toBeInstanceOf(ServerUnavailableError);
        expect((result.withTenant as ServerUnavailableError).message).toMatch(/"b"/);
        expect(result.ms, slug).toBeLessThan(2 * CONNECT_TIMEOUT_MS + 1_000);
      }
    }
    for (const slug of ELSEWHERE) expect(await serve(tenancy, slug), slug).toMatchObject({ withTenant: 1, queryAs: 1 });
  });

  it('listServers reports b unreachable, the others reachable', async () => {
    const info = await suite().tenancy.listServers();
    expect(info.map((s) => [s.name, s.reachable, s.tenants])).toEqual([
      ['primary', true, 4],
      ['b', false, 2],
      ['c', true, 3],
    ]);
    expect(info[1]!.bytes).toBeNull();
    expect(info[1]!.error).toBeTruthy();
  });

  it('audit() reports b unreachable and still checks the primary and c', async () => {
    const { tenancy, admin } = suite();
    const primarySchema = (await tenancy.getTenant('up_schema')).schemaName;
    const cDatabase = (await tenancy.getTenant('up_c_db')).databaseName!;
    await admin.query(`alter table "${primarySchema}".notes no force row level security`);
    await onServer(c, 'alter table notes no force row level security', [], cDatabase);
    try {
      const report = await tenancy.audit();
      const codes = report.findings.map((f) => [f.code, f.server ?? 'primary', f.tenant ?? null]);
      expect(codes).toContainEqual(['server-unreachable', 'b', null]);
      expect(codes).toContainEqual(['rls-not-forced', 'primary', 'up_schema']);
      expect(codes).toContainEqual(['rls-not-forced', 'c', 'up_c_db']);
      expect(report.findings.filter((f) => f.server === 'b')).toHaveLength(1);
    } finally {
      await admin.query(`alter table "${primarySchema}".notes force row level security`);
      await onServer(c, 'alter table notes force row level security', [], cDatabase);
    }
  });

  it('setup() does the primary and c, then throws ServerUnavailableError naming b', async () => {
    const { tenancy, admin } = suite();
    await admin.query(`revoke connect on database "${suite().db.name}" from app_user`);
    await onServer(c, 'revoke connect on database tenancy_servers from app_user');
    expect(await appCanConnect(async (sql) => (await admin.query<{ ok: boolean }>(sql)).rows)).toBe(false);
    const error = await tenancy.setup().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect((error as Error).message).toMatch(/"b"/);
    expect(await appCanConnect(async (sql) => (await admin.query<{ ok: boolean }>(sql)).rows)).toBe(true);
    expect(await appCanConnect((sql) => onServer<{ ok: boolean }>(c, sql))).toBe(true);
  });

  it('fewest-tenants places no tenant on b while it is down, though it has the fewest among the open servers', async () => {
    const { tenancy } = suite();
    // The primary has 4 tenants, b 2, c 3: b would take both; c, then the primary (tied with c, listed first) do.
    const placed: string[] = [];
    for (const n of [1, 2]) placed.push((await tenancy.createTenant({ slug: `skip_${n}`, name: 'Skip', strategy: 'schema' })).server);
    expect(placed).toEqual(['c', 'primary']);
    const counts = Object.fromEntries((await tenancy.listServers()).map((s) => [s.name, s.tenants]));
    expect(counts).toEqual({ primary: 5, b: 2, c: 4 });
  });

  it('createTenant on b fails with ServerUnavailableError (the entry stays, to be finished); the primary still takes tenants', async () => {
    const { tenancy } = suite();
    for (const strategy of ['schema', 'database'] as const) {
      const error = await tenancy.createTenant({ slug: `late_${strategy}`, name: 'Late', strategy, server: 'b' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, strategy).toBeInstanceOf(ServerUnavailableError);
      expect((await tenancy.getTenant(`late_${strategy}`)).status).toBe('provisioning');
    }
    expect((await tenancy.createTenant({ slug: 'late_primary', name: 'Late', strategy: 'database', server: 'primary' })).status).toBe('active');
  });

  it('started again, b serves its tenants again through the same pools, and setup() passes', async () => {
    const { tenancy } = suite();
    await b.start();
    // The same calls finish the tenants begun while b was down.
    for (const strategy of ['schema', 'database'] as const) {
      const late = await tenancy.createTenant({ slug: `late_${strategy}`, name: 'Late', strategy, server: 'b' });
      expect(late.status).toBe('active');
      expect((await tenancy.queryAs<{ n: number }>(late.slug, 'select count(*)::int as n from notes')).rows).toEqual([{ n: 0 }]);
    }
    for (const slug of ON_B) expect(await serve(tenancy, slug), slug).toMatchObject({ withTenant: 1, queryAs: 1 });
    await tenancy.setup();
    expect((await tenancy.listServers()).map((s) => s.reachable)).toEqual([true, true, true]);
    expect((await tenancy.audit()).findings).toEqual([]);
  });
});

async function isRunning(server: ExtraServer): Promise<boolean> {
  return onServer(server, 'select 1').then(
    () => true,
    () => false,
  );
}
