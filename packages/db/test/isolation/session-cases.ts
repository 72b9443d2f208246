import type { ContextOptions, StrategyName, Tenancy, Tenant, TenantTx } from '@repo/tenancy';

/**
 * What SQL inside tenant A's transaction can leave on the server connection, and whether the next
 * transaction on that same connection walks into it. A statement is either refused (PostgreSQL or
 * the library takes the right away) or whatever it left is gone before COMMIT.
 */
export type Plant = string | { sql: string; refused: true };

export interface Case {
  name: string;
  /** Run in order inside A's transaction, each in a savepoint so a refusal does not end it. */
  plant: (fx: PlantTargets) => Plant[];
  /** withTenant (default); queryAs, one statement per call; or a withTenant that then fails and rolls back. */
  via?: 'withTenant' | 'queryAs' | 'failing';
  only?: StrategyName[];
}

/**
 * What a plant may name besides its own tenant A: B, the tenant of the next caller on the connection. The isolation
 * suite's Fixture is one; the reliability fuzzer builds its own.
 */
export interface PlantTargets {
  b: { tenant: Pick<Tenant, 'roleName'> };
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
export const SETTINGS_SQL = SETTINGS.map((s) => `current_setting('${s}') as "${s}"`).join(', ');

export interface PlantOutcome {
  /** The server connection (backend) the plant ran on. */
  pid: number;
  /** Per statement, whether it failed. */
  failed: boolean[];
}

/** The calls a plant goes through: the library's, as any caller of it holds them. */
type Calls = Pick<Tenancy, 'withTenant' | 'queryAs'>;

class PlantedFailure extends Error {}

/**
 * Runs a case's statements as tenant `slug`'s caller `attacker`, the way the case says (`via`): each in a savepoint of
 * one withTenant transaction (which, for `failing`, then fails and rolls back), or each as its own queryAs call.
 */
export async function plantCase(
  tenancy: Calls,
  slug: string,
  statements: readonly string[],
  via: Case['via'],
  attacker: ContextOptions,
): Promise<PlantOutcome> {
  if (via === 'queryAs') {
    const failed: boolean[] = [];
    for (const sql of statements)
      failed.push(
        await tenancy.queryAs(slug, sql, [], attacker).then(
          () => false,
          () => true,
        ),
      );
    const pid = (await tenancy.queryAs<{ pid: number }>(slug, 'select pg_backend_pid() as pid', [], attacker)).rows[0]!.pid;
    return { pid, failed };
  }
  let outcome: PlantOutcome | undefined;
  try {
    await tenancy.withTenant(
      slug,
      async (tx) => {
        const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        const failed: boolean[] = [];
        for (const sql of statements) failed.push(await inSavepoint(tx, sql));
        outcome = { pid, failed };
        if (via === 'failing') throw new PlantedFailure("the attacker's request fails after planting");
      },
      attacker,
    );
  } catch (error) {
    // Only the planned failure is swallowed: anything else (a refusal that broke the transaction) is the caller's to see.
    if (!(error instanceof PlantedFailure) || outcome === undefined) throw error;
  }
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
