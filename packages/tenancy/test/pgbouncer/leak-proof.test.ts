import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { requirePgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenancy, PgBouncerLoginError, type StrategyName, type Tenancy, type Tenant } from '../../src/index';
import { baseConfig, dropClusterObjects } from '../support';
import { APP_PASSWORD, AUTH_PASSWORD, startBouncerFor } from './support';

const MODES = ['transaction', 'session'] as const;
const TENANTS: StrategyName[] = [...Array(7).fill('rls'), ...Array(7).fill('schema'), ...Array(6).fill('database')];
const CALLS = 10_000;
const CALLERS = 200;
const SERVER_CONNECTIONS = 10;

interface Setup {
  db: TestDatabase;
  bouncer: PgBouncer;
  tenancy: Tenancy;
  tenants: Tenant[];
}

/** A deployment whose app connections all go through a real pgbouncer; DDL goes direct. */
async function deploy(mode: (typeof MODES)[number]): Promise<Setup> {
  const db = await createTestDatabase(`bouncer_${mode}`);
  const bouncer = await startBouncerFor(db, { poolMode: mode, defaultPoolSize: SERVER_CONNECTIONS, maxClientConn: 1000, authType: 'scram-sha-256' });
  const base = baseConfig(db);
  // Transaction mode multiplexes any number of client connections onto the server connections;
  // session mode pins one server connection per client connection, so there the client pool is
  // sized to the server pool and the 200 callers queue in it.
  const tenancy = createTenancy({
    ...base,
    appUrl: bouncer.url('app_user', APP_PASSWORD, db.name),
    pooler: { kind: 'pgbouncer', mode, authPassword: AUTH_PASSWORD },
    appPoolSize: mode === 'transaction' ? CALLERS : SERVER_CONNECTIONS - 2,
    maxConnections: mode === 'transaction' ? CALLERS : SERVER_CONNECTIONS * 2,
    perTenantPoolSize: mode === 'transaction' ? 20 : 2,
  });
  await tenancy.setup();
  const tenants: Tenant[] = [];
  for (const [i, strategy] of TENANTS.entries()) tenants.push(await tenancy.createTenant({ slug: `pb_${strategy}_${i}`, name: `Bouncer ${i}`, strategy }));
  return { db, bouncer, tenancy, tenants };
}

async function teardown(setup: Setup | undefined): Promise<void> {
  if (!setup) return;
  await setup.tenancy.close();
  await setup.bouncer.stop();
  await setup.db.drop();
  await dropClusterObjects(setup.db, setup.tenancy.config.namePrefix);
}

/** Superuser view of where every marker landed: tenant id -> bodies, across all placements. */
async function landedMarkers(setup: Setup): Promise<Map<string, string[]>> {
  const landed = new Map<string, string[]>();
  const placements = new Map(setup.tenants.map((t) => [`${t.databaseName ?? ''}/${t.schemaName}`, t]));
  for (const tenant of placements.values()) {
    const url = tenant.databaseName ? setup.db.serverUrl(tenant.databaseName) : setup.db.url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ tenant_id: string; body: string }>(`select tenant_id, body from "${tenant.schemaName}".notes`);
      for (const row of rows) landed.set(row.tenant_id, [...(landed.get(row.tenant_id) ?? []), row.body]);
    } finally {
      await client.end();
    }
  }
  return landed;
}

describe.skipIf(!requirePgBouncer())('tenancy through a real PgBouncer', () => {
  describe.each(MODES)('%s mode', (mode) => {
    let setup: Setup | undefined;
    beforeAll(async () => {
      setup = await deploy(mode);
    }, 180_000);
    afterAll(() => teardown(setup), 120_000);

    it(`leak proof: ${CALLS} interleaved withTenant calls, ${CALLERS} callers, ${TENANTS.length} tenants of all strategies, ${SERVER_CONNECTIONS} server connections: zero foreign rows, zero errors`, async () => {
      const { tenancy, tenants } = setup!;
      let next = 0;
      let foreign = 0;
      const errors: unknown[] = [];
      const committed = new Map<string, string[]>();
      const tenantsByPid = new Map<number, Set<string>>();
      const caller = async () => {
        for (let i = next++; i < CALLS; i = next++) {
          const tenant = tenants[(i * 7919) % tenants.length]!;
          const marker = `${tenant.slug}:${i}:${randomUUID()}`;
          try {
            const seen = await tenancy.withTenant(
              tenant.slug,
              async (tx) => {
                await tx.query('insert into notes (body) values ($1)', [marker]);
                const { rows } = await tx.query<{ foreign: number; mine: number; pid: number }>(
                  `select count(*) filter (where tenant_id <> $1)::int as foreign, count(*) filter (where body = $2)::int as mine, pg_backend_pid() as pid from notes`,
                  [tenant.id, marker],
                );
                return rows[0]!;
              },
              { role: 'admin' },
            );
            foreign += seen.foreign;
            if (seen.mine !== 1) errors.push(new Error(`${marker} not read back`));
            committed.set(tenant.id, [...(committed.get(tenant.id) ?? []), marker]);
            if (tenant.strategy !== 'database') tenantsByPid.set(seen.pid, (tenantsByPid.get(seen.pid) ?? new Set()).add(tenant.id));
          } catch (error) {
            errors.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: CALLERS }, caller));
      expect(errors.map(String)).toEqual([]);
      expect(foreign).toBe(0);
      // Every committed marker is in its own tenant, and only there.
      const landed = await landedMarkers(setup!);
      for (const tenant of tenants) {
        expect((landed.get(tenant.id) ?? []).sort()).toEqual((committed.get(tenant.id) ?? []).sort());
        expect((landed.get(tenant.id) ?? []).every((body) => body.startsWith(`${tenant.slug}:`))).toBe(true);
      }
      // Proof the pooler really multiplexed: few server connections, each serving several tenants.
      expect(tenantsByPid.size).toBeLessThanOrEqual(SERVER_CONNECTIONS);
      expect([...tenantsByPid.values()].every((served) => served.size > 1)).toBe(true);
    }, 300_000);

    it('a session-level SET leaks through this same pooler in transaction mode; session mode resets it (so the proof above would catch a regression)', async () => {
      const { bouncer, db } = setup!;
      const connect = async () => {
        const client = new pg.Client({ connectionString: bouncer.url('app_user', APP_PASSWORD, db.name) });
        await client.connect();
        return client;
      };
      const read = async (client: pg.Client) =>
        (await client.query<{ t: string | null; pid: number }>(`select current_setting('app.current_tenant_id', true) as t, pg_backend_pid() as pid`)).rows[0]!;
      if (mode === 'transaction') {
        const clients = await Promise.all(Array.from({ length: SERVER_CONNECTIONS * 3 }, connect));
        try {
          // The seeds' form: SET app.current_tenant_id per request, then the query.
          await clients[0]!.query(`set app.current_tenant_id = 'tenant-a'`);
          const seen = await Promise.all(clients.slice(1).map(read));
          expect(seen.filter((r) => r.t === 'tenant-a').length).toBeGreaterThan(0);
        } finally {
          await Promise.all(clients.map((c) => c.end()));
        }
        return;
      }
      // Session mode pins a server connection to a client until it disconnects; then
      // server_reset_query = DISCARD ALL must wipe the session before the next client gets it.
      const first = await connect();
      await first.query(`set app.current_tenant_id = 'tenant-a'`);
      const { pid } = await read(first);
      await first.end();
      let reused: { t: string | null; pid: number } | undefined;
      for (let attempt = 0; attempt < 20 && !reused; attempt++) {
        const next = await connect();
        const seen = await read(next);
        await next.end();
        if (seen.pid === pid) reused = seen;
      }
      expect(reused, 'the next client never got the same server connection').toBeDefined();
      expect(reused!.t ?? '').toBe('');
    });

    it('a refused login through PgBouncer names the role and the database', async () => {
      const { db, tenancy } = setup!;
      const dbTenant = setup!.tenants.find((t) => t.strategy === 'database')!;
      const wrong = createTenancy({
        ...baseConfig(db),
        appUrl: tenancy.config.appUrl,
        namePrefix: tenancy.config.namePrefix,
        pooler: { kind: 'pgbouncer', mode },
        secrets: { get: async () => 'not-the-password', set: async () => undefined, delete: async () => undefined },
      });
      try {
        const error = await wrong.queryAs(dbTenant.slug, 'select 1').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PgBouncerLoginError);
        expect((error as Error).message).toContain(`role "${dbTenant.roleName}"`);
        expect((error as Error).message).toContain(`database "${dbTenant.databaseName}"`);
      } finally {
        await wrong.close();
      }
    });

    it('a database tenant created after PgBouncer started is reachable through it without a reload', async () => {
      const { tenancy, bouncer } = setup!;
      const pid = bouncer.pid;
      const late = await tenancy.createTenant({ slug: `pb_late_${mode}`, name: 'Late', strategy: 'database' });
      await tenancy.withTenant(late.slug, (tx) => tx.query(`insert into notes (body) values ('late')`), { role: 'admin' });
      expect((await tenancy.queryAs(late.slug, 'select body from notes')).rows).toEqual([{ body: 'late' }]);
      expect(bouncer.pid).toBe(pid);
    });

    it('a PgBouncer restart mid-run: clean errors during the gap, success afterwards, no committed write lost', async () => {
      const { tenancy, tenants, bouncer } = setup!;
      const committed: { tenant: Tenant; marker: string }[] = [];
      const failures: Error[] = [];
      let running = true;
      let afterRestart = 0;
      let restarted = false;
      const caller = async (n: number) => {
        for (let i = 0; running; i++) {
          const tenant = tenants[(n + i) % tenants.length]!;
          const marker = `restart:${tenant.slug}:${n}:${i}`;
          try {
            await tenancy.withTenant(tenant.slug, (tx) => tx.query('insert into notes (body) values ($1)', [marker]), { role: 'admin' });
            committed.push({ tenant, marker });
            if (restarted) afterRestart++;
          } catch (error) {
            failures.push(error as Error);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const callers = Array.from({ length: 20 }, (_, n) => caller(n));
      await new Promise((r) => setTimeout(r, 500));
      await bouncer.restart();
      restarted = true;
      const deadline = Date.now() + 30_000;
      while (afterRestart < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      running = false;
      await Promise.all(callers);
      expect(afterRestart).toBeGreaterThanOrEqual(200);
      // The restart cut connections that were in use: those callers saw an error, not a hang.
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(Error);
        expect(failure.message.length).toBeGreaterThan(0);
      }
      const landed = await landedMarkers(setup!);
      const all = new Set([...landed.values()].flat());
      const lost = committed.filter(({ marker }) => !all.has(marker));
      expect(lost).toEqual([]);
    }, 120_000);
  });
});
