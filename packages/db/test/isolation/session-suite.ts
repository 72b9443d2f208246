import { requirePgBouncer } from '@repo/localdb/pgbouncer';
import type { StrategyName, Tenant, TenantTx } from '@repo/tenancy';
import type pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, layoutOf, type Fixture, type TenantFixture } from './fixture';
import { describeLayout } from './layout-suite';
import { serverOf, superuserQuery } from './placement';
import { POOLERS, pooledClientFor, usePooledDatabase, type PooledDatabase, type Pooler } from './pooled';
import type { SecondCluster } from './second-server';
import { CASES, plantCase, SETTINGS_SQL, type Case, type PlantOutcome } from './session-cases';

/** Everything a session carries that the library never sets: read on the idle pooled connection, outside any transaction. */
const PROBE_SQL = `select ${SETTINGS_SQL}, current_user as "role", current_setting('search_path') as "search_path",
  coalesce(current_setting('tenancy.context', true), '') as "context", coalesce(current_setting('leak.secret', true), '') as "custom",
  array(select pg_listening_channels()) as "channels", (select count(*)::int from pg_prepared_statements) as "prepared",
  (select count(*)::int from pg_cursors) as "cursors", pg_backend_pid() as "pid"`;

interface Victim {
  fixture: TenantFixture;
  userId: string;
}

/** Given a second cluster, A and B (and the connection they share) are there, the canary on the primary (fixture.ts, Layout). */
export function describePooledSession(strategy: StrategyName, second?: () => SecondCluster): void {
  for (const pooler of POOLERS) describeOne(strategy, pooler, second);
}

function describeOne(strategy: StrategyName, pooler: Pooler, second?: () => SecondCluster): void {
  const layout = layoutOf(second);
  // Without pgbouncer a CI run fails here; elsewhere the reason is printed and the PgBouncer half is skipped.
  const runnable = pooler === 'pg.Pool' || requirePgBouncer();
  describe.skipIf(!runnable)(`${strategy} through ${pooler}, one server connection`, () => {
    const prepared = usePooledDatabase(`session_${strategy}_${pooler.replace(/\W/g, '').toLowerCase()}`, pooler, second);
    let fx: Fixture;
    let victim: Victim;
    let baseline: Record<string, unknown>;
    let baselineInside: Record<string, unknown>;
    let inserted = 0;

    beforeAll(async () => {
      fx = await buildFixture(prepared(), strategy, `ses_${strategy.slice(0, 2)}${POOLERS.indexOf(pooler)}`, layout);
      // A database tenant's connection serves only that tenant: there the next caller on it is another user of A.
      victim = strategy === 'database' ? { fixture: fx.a, userId: fx.a.otherMember } : { fixture: fx.b, userId: fx.b.member };
      const before = await victimTransaction(prepared(), victim, (tx) =>
        tx.query(`select ${SETTINGS_SQL}, current_user as "role", current_setting('search_path') as "search_path"`),
      );
      baselineInside = before.rows[0]!;
      baseline = await probe(prepared(), victim);
    });

    if (layout === 'two-servers') describeLayout(strategy, prepared, () => fx);

    it("the comparison below is not vacuous: after a tenant transaction the connection carries the app's own application_name", () => {
      // Behind PgBouncer a bare RESET ALL would blank it, and the blank would compare equal before and after.
      expect(baselineInside.application_name).toBe('tenancy_app');
      expect(baseline.application_name).toBe('tenancy_app');
    });

    it('the attacker and the next caller really share one server connection, and a session-level SET outside the library reaches the next caller', async () => {
      const attackerPid = await prepared().tenancy.withTenant(fx.a.tenant.slug, async (tx) => (await tx.query('select pg_backend_pid() as pid')).rows[0]!.pid, {
        role: 'admin',
        userId: fx.a.admin,
      });
      const client = pooledClientFor(prepared(), victim.fixture.tenant);
      // The known-leaky form: a plain session-level SET on the pooled connection, not through the library.
      await client.query(`set work_mem = '77kB'`);
      try {
        const seen = await victimTransaction(prepared(), victim, (tx) =>
          tx.query<{ pid: number; work_mem: string }>(`select pg_backend_pid() as pid, current_setting('work_mem') as work_mem`),
        );
        expect(seen.rows[0]).toEqual({ pid: attackerPid, work_mem: '77kB' });
      } finally {
        await client.query('reset all');
      }
    });

    it('where TEMP is granted after all, a temporary view named like a tenant table is searched last and never read', async () => {
      const { tenant } = victim.fixture;
      const database = tenant.databaseName ?? serverOf(prepared(), tenant).name;
      // The role A's statements run as: its own login role, the app role, or the schema tenant's role it assumes.
      const login = fx.a.tenant.roleName ?? 'app_user';
      await superuserQuery(prepared(), tenant, `grant temporary on database "${database}" to "${login}"`);
      try {
        const outcome = await plant(prepared(), fx, {
          name: 'temp objects',
          plant: () => [
            `create temp view projects as select id, tenant_id, 'from A' as name from ${fx.a.tenant.schemaName}.projects`,
            'create temp table tasks (like tasks)',
          ],
        });
        expect(outcome.failed).toEqual([false, false]);
        inserted++;
        const seen = await victimWork(prepared(), victim, inserted);
        expect(seen.pid).toBe(outcome.pid);
        expect(seen.rows).toEqual(await expectedRows(prepared(), victim));
        expect(seen.name).toBe(victimName(inserted));
      } finally {
        await pooledClientFor(prepared(), victim.fixture.tenant).query('discard all');
        await superuserQuery(prepared(), tenant, `revoke temporary on database "${database}" from "${login}"`);
      }
    });

    describe.each(CASES.filter((c) => !c.only || c.only.includes(strategy)))('$name', (testCase) => {
      // Each case starts from a clean connection, so a protection removed fails exactly the cases it covers.
      afterEach(async () => {
        await pooledClientFor(prepared(), victim.fixture.tenant).query('discard all');
      });

      it('is refused or gone: the next caller on the connection reads and writes exactly its own rows, unobserved', async () => {
        const outcome = await plant(prepared(), fx, testCase);
        for (const [i, statement] of testCase.plant(fx).entries()) {
          if (typeof statement !== 'string') expect(outcome.failed[i], `refused: ${statement.sql}`).toBe(true);
        }
        inserted++;
        const seen = await victimWork(prepared(), victim, inserted);
        expect(seen.pid, 'same server connection').toBe(outcome.pid);
        expect(seen.settings).toEqual(baselineInside);
        expect(seen.identity).toEqual({ tenant: victim.fixture.tenant.id, user: victim.userId, role: 'member' });
        expect(seen.rows).toEqual(await expectedRows(prepared(), victim));
        expect(seen.name).toBe(victimName(inserted));
        const after = await probe(prepared(), victim);
        expect({ ...after, pid: undefined }).toEqual({ ...baseline, pid: undefined });
        expect(await advisoryLocks(prepared(), victim.fixture.tenant, outcome.pid)).toBe(0);
      });
    });
  });
}

async function plant(prepared: PooledDatabase, fx: Fixture, testCase: Case): Promise<PlantOutcome> {
  const statements = testCase.plant(fx).map((s) => (typeof s === 'string' ? s : s.sql));
  return plantCase(prepared.tenancy, fx.a.tenant.slug, statements, testCase.via, { role: 'admin', userId: fx.a.admin });
}

function victimTransaction<T>(prepared: PooledDatabase, victim: Victim, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  return prepared.tenancy.withTenant(victim.fixture.tenant.slug, fn, { role: 'member', userId: victim.userId });
}

const victimName = (n: number) => `victim ${n}: Zoë, 漢字, ✓`;
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The next caller's ordinary work: reads, a write with non-ASCII text, and a look at what it runs under. */
async function victimWork(prepared: PooledDatabase, victim: Victim, n: number) {
  const inside = await victimTransaction(prepared, victim, async (tx) => {
    const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await pause(); // the next caller is not always quick between statements
    const settings = (await tx.query(`select ${SETTINGS_SQL}, current_user as "role", current_setting('search_path') as "search_path"`)).rows[0];
    const identity = (await tx.query('select tenancy.current_tenant_id() as tenant, tenancy.current_user_id() as user, tenancy.current_app_role() as role'))
      .rows[0];
    const inserted = await tx.query<{ id: string }>('insert into projects (name) values ($1) returning id', [victimName(n)]);
    await pause();
    const name = (await tx.query<{ name: string }>('select name from projects where id = $1', [inserted.rows[0]!.id])).rows[0]!.name;
    return { pid, settings, identity, name };
  });
  // The last read goes through queryAs: one statement in an implicit transaction.
  const rows = await Promise.all(
    (['projects', 'tasks', 'comments'] as const).map(
      async (table) =>
        (await prepared.tenancy.queryAs(victim.fixture.tenant.slug, `select * from ${table} order by id`, [], { role: 'viewer', userId: victim.userId })).rows,
    ),
  );
  return { ...inside, rows };
}

/** The victim's rows as the superuser sees them in its placement. */
async function expectedRows(prepared: PooledDatabase, victim: Victim): Promise<unknown[][]> {
  const { tenant } = victim.fixture;
  return Promise.all(
    (['projects', 'tasks', 'comments'] as const).map(
      async (table) =>
        (await superuserQuery(prepared, tenant, `select * from ${tenant.schemaName}.${table} where tenant_id = $1 order by id`, [tenant.id])).rows,
    ),
  );
}

async function probe(prepared: PooledDatabase, victim: Victim): Promise<Record<string, unknown>> {
  const client: pg.Client = pooledClientFor(prepared, victim.fixture.tenant);
  return (await client.query(PROBE_SQL)).rows[0];
}

/** Advisory locks the server connection `pid` still holds, on the server of `tenant` (pg_locks is the whole server's). */
async function advisoryLocks(prepared: PooledDatabase, tenant: Tenant, pid: number): Promise<number> {
  const { rows } = await superuserQuery(prepared, tenant, `select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = $1`, [pid]);
  return (rows[0] as { n: number }).n;
}
