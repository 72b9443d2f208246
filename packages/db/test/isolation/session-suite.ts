import { requirePgBouncer } from '@repo/localdb/pgbouncer';
import type { StrategyName, TenantTx } from '@repo/tenancy';
import type pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture, type TenantFixture } from './fixture';
import { superuserQuery } from './placement';
import { POOLERS, pooledClientFor, usePooledDatabase, type PooledDatabase, type Pooler } from './pooled';

/**
 * What SQL inside tenant A's transaction can leave on the server connection, and whether the next
 * transaction on that same connection walks into it. A statement is either refused (PostgreSQL or
 * the library takes the right away) or whatever it left is gone before COMMIT.
 */
type Plant = string | { sql: string; refused: true };

interface Case {
  name: string;
  /** Run in order inside A's transaction, each in a savepoint so a refusal does not end it. */
  plant: (fx: Fixture) => Plant[];
  /** withTenant (default); queryAs, one statement per call; or a withTenant that then fails and rolls back. */
  via?: 'withTenant' | 'queryAs' | 'failing';
  only?: StrategyName[];
}

const refused = (sql: string): Plant => ({ sql, refused: true });
const then = (escape: string) => (): Plant[] => [refused(escape), `set statement_timeout = '5s'`, `select set_config('leak.secret', 'after escape', false)`];

export const CASES: Case[] = [
  // Temporary objects: no TEMP privilege, so none can be made (and pg_temp is searched last anyway).
  {
    name: 'a temporary view named like a tenant table, recording the next caller',
    plant: () => [refused('create temp view projects as select * from public.projects')],
  },
  {
    name: 'a temporary table named like a tenant table, swallowing inserts',
    plant: () => [refused('create temp table tasks (tenant_id uuid, id uuid, title text)')],
  },
  {
    name: 'a temporary function shadowing the context function',
    plant: () => [refused(`create function pg_temp.current_tenant_id() returns uuid language sql as $$ select null::uuid $$`)],
  },
  { name: 'a temporary sequence', plant: () => [refused('create temp sequence tenancy_leak')] },
  // Settings: every one a session may set is put back before COMMIT.
  // Timeouts long enough not to end A's own transaction: the comparison of settings is what catches them.
  { name: 'statement_timeout at session level', plant: () => [`set statement_timeout = '5s'`] },
  { name: 'idle_in_transaction_session_timeout and lock_timeout', plant: () => [`set idle_in_transaction_session_timeout = '10s'`, `set lock_timeout = '5s'`] },
  { name: 'default_transaction_read_only', plant: () => ['set default_transaction_read_only = on'] },
  {
    name: 'SET SESSION CHARACTERISTICS: serializable, read only, deferrable',
    plant: () => ['set session characteristics as transaction isolation level serializable, read only, deferrable'],
  },
  { name: 'search_path at session level, pg_temp first', plant: () => ['set search_path = pg_temp, tenancy, public'] },
  {
    name: "role at session level: B's own role, assumed without B's context",
    plant: (fx) => [`select set_config('role', '${fx.b.tenant.roleName}', false)`],
    only: ['schema'],
  },
  {
    name: "the context setting at session level: A's valid token kept for later statements",
    plant: () => [`select set_config('tenancy.context', current_setting('tenancy.context'), false)`],
  },
  { name: 'client_encoding LATIN1 (mangles or refuses non-ASCII text)', plant: () => ['set client_encoding = LATIN1'] },
  {
    name: 'DateStyle, TimeZone and IntervalStyle (mis-parsed timestamps)',
    plant: () => [`set datestyle = 'SQL, DMY'`, `set timezone = 'Pacific/Chatham'`, `set intervalstyle = sql_standard`],
  },
  { name: 'row_security off (reads that policies would filter fail)', plant: () => ['set row_security = off'] },
  { name: "synchronous_commit changed (how durable the next caller's acknowledged writes are)", plant: () => ['set synchronous_commit = local'] },
  {
    name: 'planner and memory settings (a slow-down for everyone after)',
    plant: () => ['set enable_indexscan = off', 'set enable_bitmapscan = off', `set work_mem = '64kB'`],
  },
  {
    name: "A's rows copied into a custom setting and application_name, for a later tenant to read",
    plant: () => [
      `select set_config('leak.secret', (select string_agg(name, ',') from projects), false)`,
      `select set_config('application_name', (select min(name) from projects), false)`,
    ],
  },
  // Objects of the session itself.
  { name: 'LISTEN', plant: () => ['listen tenancy_leak'] },
  { name: 'a prepared statement (PREPARE)', plant: () => ['prepare tenancy_leak as select name from projects'] },
  { name: "a cursor WITH HOLD over A's rows", plant: () => ['declare tenancy_leak cursor with hold for select name from projects'] },
  {
    name: 'a session advisory lock on a key the library takes',
    plant: () => [refused(`select pg_advisory_lock(hashtext('tenancy.shared-grants'))`), refused('select pg_try_advisory_lock_shared(42)')],
  },
  {
    name: "a large object holding A's rows",
    plant: () => [refused(`select lo_from_bytea(0, convert_to((select string_agg(name, ',') from projects), 'UTF8'))`)],
  },
  { name: 'signalling other backends of the same role', plant: () => [refused('select pg_cancel_backend(0)'), refused('select pg_terminate_backend(0)')] },
  { name: 'a DO block setting session state', plant: () => [refused(`do $$ begin perform set_config('statement_timeout', '1', false); end $$`)] },
  { name: 'LOAD a library', plant: () => [refused(`load 'plpgsql'`)] },
  { name: 'DISCARD ALL', plant: () => [refused('discard all')] },
  // Ending the transaction from inside would commit what was set before the reset runs.
  { name: 'COMMIT, then session state', plant: then('commit') },
  { name: 'END behind a comment, then session state', plant: then('/* harmless */ end') },
  { name: 'ABORT behind a line comment, then session state', plant: then('-- harmless\nabort') },
  { name: 'ROLLBACK AND CHAIN, then session state', plant: then('rollback and chain') },
  { name: 'COMMIT AND CHAIN, then session state', plant: then('Commit And Chain') },
  { name: 'PREPARE TRANSACTION, then session state', plant: then(`prepare transaction 'tenancy_leak'`) },
  { name: 'a second BEGIN, then session state', plant: then('begin') },
  // Other paths through the library.
  { name: 'state set inside a released savepoint', plant: () => ['savepoint tenancy_leak', `set statement_timeout = '5s'`, 'release savepoint tenancy_leak'] },
  {
    name: 'state set, then the transaction fails and rolls back',
    plant: () => [`set statement_timeout = '5s'`, 'listen tenancy_leak', 'prepare tenancy_leak as select 1'],
    via: 'failing',
  },
  {
    name: 'state set by single statements through queryAs (implicit transactions)',
    plant: () => [
      `set statement_timeout = '5s'`,
      'listen tenancy_leak',
      `select set_config('leak.secret', 'queryAs', false)`,
      'prepare tenancy_leak as select 1',
      'declare tenancy_leak cursor with hold for select 1',
    ],
    via: 'queryAs',
  },
];

/** Settings compared before and after: anything a plant could have changed that the next caller would run under. */
const SETTINGS = [
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'default_transaction_read_only',
  'default_transaction_isolation',
  'default_transaction_deferrable',
  'transaction_read_only',
  'transaction_isolation',
  'client_encoding',
  'DateStyle',
  'IntervalStyle',
  'TimeZone',
  'row_security',
  'synchronous_commit',
  'enable_indexscan',
  'enable_bitmapscan',
  'work_mem',
  'application_name',
];
const SETTINGS_SQL = SETTINGS.map((s) => `current_setting('${s}') as "${s}"`).join(', ');

/** Everything a session carries that the library never sets: read on the idle pooled connection, outside any transaction. */
const PROBE_SQL = `select ${SETTINGS_SQL}, current_user as "role", current_setting('search_path') as "search_path",
  coalesce(current_setting('tenancy.context', true), '') as "context", coalesce(current_setting('leak.secret', true), '') as "custom",
  array(select pg_listening_channels()) as "channels", (select count(*)::int from pg_prepared_statements) as "prepared",
  (select count(*)::int from pg_cursors) as "cursors", pg_backend_pid() as "pid"`;

interface Victim {
  fixture: TenantFixture;
  userId: string;
}

export function describePooledSession(strategy: StrategyName): void {
  for (const pooler of POOLERS) describeOne(strategy, pooler);
}

function describeOne(strategy: StrategyName, pooler: Pooler): void {
  // Without pgbouncer a CI run fails here; elsewhere the reason is printed and the PgBouncer half is skipped.
  const runnable = pooler === 'pg.Pool' || requirePgBouncer();
  describe.skipIf(!runnable)(`${strategy} through ${pooler}, one server connection`, () => {
    const prepared = usePooledDatabase(`session_${strategy}_${pooler.replace(/\W/g, '').toLowerCase()}`, pooler);
    let fx: Fixture;
    let victim: Victim;
    let baseline: Record<string, unknown>;
    let baselineInside: Record<string, unknown>;
    let inserted = 0;

    beforeAll(async () => {
      fx = await buildFixture(prepared(), strategy, `ses_${strategy.slice(0, 2)}${POOLERS.indexOf(pooler)}`);
      // A database tenant's connection serves only that tenant: there the next caller on it is another user of A.
      victim = strategy === 'database' ? { fixture: fx.a, userId: fx.a.otherMember } : { fixture: fx.b, userId: fx.b.member };
      const before = await victimTransaction(prepared(), victim, (tx) =>
        tx.query(`select ${SETTINGS_SQL}, current_user as "role", current_setting('search_path') as "search_path"`),
      );
      baselineInside = before.rows[0]!;
      baseline = await probe(prepared(), victim);
    });

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
      const database = tenant.databaseName ?? prepared().db.name;
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
        expect(await advisoryLocks(prepared(), outcome.pid)).toBe(0);
      });
    });
  });
}

interface PlantOutcome {
  pid: number;
  failed: boolean[];
}

async function plant(prepared: PooledDatabase, fx: Fixture, testCase: Case): Promise<PlantOutcome> {
  const statements = testCase.plant(fx).map((s) => (typeof s === 'string' ? s : s.sql));
  const attacker = { role: 'admin', userId: fx.a.admin };
  if (testCase.via === 'queryAs') {
    const failed: boolean[] = [];
    for (const sql of statements)
      failed.push(
        await prepared.tenancy.queryAs(fx.a.tenant.slug, sql, [], attacker).then(
          () => false,
          () => true,
        ),
      );
    const pid = (await prepared.tenancy.queryAs<{ pid: number }>(fx.a.tenant.slug, 'select pg_backend_pid() as pid', [], attacker)).rows[0]!.pid;
    return { pid, failed };
  }
  let outcome: PlantOutcome | undefined;
  const run = prepared.tenancy.withTenant(
    fx.a.tenant.slug,
    async (tx) => {
      const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const failed: boolean[] = [];
      for (const sql of statements) failed.push(await inSavepoint(tx, sql));
      outcome = { pid, failed };
      if (testCase.via === 'failing') throw new Error("the attacker's request fails after planting");
    },
    attacker,
  );
  if (testCase.via === 'failing') await expect(run).rejects.toThrow(/fails after planting/);
  else await run;
  return outcome!;
}

/** True when the statement failed; a refusal leaves A's transaction usable, as an application that catches errors would. */
async function inSavepoint(tx: TenantTx, sql: string): Promise<boolean> {
  await tx.query('savepoint tenancy_plant');
  try {
    await tx.query(sql);
    await tx.query('release savepoint tenancy_plant');
    return false;
  } catch {
    await tx.query('rollback to savepoint tenancy_plant');
    return true;
  }
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

async function advisoryLocks(prepared: PooledDatabase, pid: number): Promise<number> {
  const { rows } = await prepared.admin.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = $1`, [pid]);
  return rows[0]!.n;
}
