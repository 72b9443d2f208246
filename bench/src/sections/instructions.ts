import { readFileSync } from 'node:fs';
import pg from 'pg';
import { BENCH_ROLE_PASSWORD, productUrls, ROLES } from '../harness/database';
import type { BenchEnv } from '../harness/env';
import { fmt } from '../harness/env';
import { prng } from '../harness/ids';
import { prose } from '../harness/prose';
import type { Cell, SectionResult } from '../harness/report';
import type { TenantRef } from '../harness/tenant-ref';
import { WORKLOADS } from '../harness/workloads';
import { contextFor, LIBRARY_RESET, send, TWIN_CONNECTION, type Extra } from '../peers/wire-twin';

const text = prose('instructions');

/**
 * Server instructions per call of each part of a queryAs point lookup, counted by valgrind's
 * callgrind, and of the designs the library could use instead. A count does not depend on what else
 * the machine does, so designs a few thousand instructions apart can be told apart, which timings
 * on a shared machine cannot. Each step runs on a fresh connection twice, once with N calls and once
 * with 2N; the backend writes its total when it exits, and the difference of the two totals over N
 * is one call, with the connection's start and end taken out.
 */

interface Step {
  key: string;
  role: 'plain' | 'app';
  call(client: pg.Client, t: TenantRef): Promise<unknown>;
}

const SWEEP_RESET = 'tenancy_bench.reset_sweeping';

/**
 * The installed reset with DEALLOCATE ALL replaced by a loop over the SQL-level prepared statements:
 * what the reset would have to do if the settings statement were a named statement the reset must
 * keep, since SQL in the transaction could otherwise replace it for the next caller.
 */
function sweepingReset(installed: string): string {
  return installed
    .replace('CREATE OR REPLACE PROCEDURE tenancy.reset_session(', `CREATE OR REPLACE PROCEDURE ${SWEEP_RESET}(`)
    .replaceAll('reset_session.application_name', 'reset_sweeping.application_name')
    .replace(/\nBEGIN\n/, '\nDECLARE s record;\nBEGIN\n')
    .replace(
      /DEALLOCATE ALL;[^\n]*/,
      "FOR s IN SELECT p.name FROM pg_catalog.pg_prepared_statements p WHERE p.from_sql LOOP EXECUTE pg_catalog.format('DEALLOCATE %I', s.name); END LOOP;",
    );
}

/** The six context calls an insert makes (two column defaults, four policy terms), as InitPlans of one statement. */
function sixCalls(prefix: string): string {
  const fns = ['tenant_id', 'user_id', 'tenant_id', 'app_role', 'app_role', 'user_id'];
  return `SELECT ${fns.map((fn) => `(SELECT ${prefix}${fn}())`).join(', ')}`;
}

/** What an insert's policies verify since the defaults read claims and the role is read once: tenant, role, user. */
const threeCalls = 'SELECT (SELECT tenancy.current_tenant_id()), (SELECT tenancy.current_app_role()), (SELECT tenancy.current_user_id())';

/**
 * The context functions as one verifier and three SQL wrappers the planner inlines: every call of
 * a statement then runs the same plpgsql function, whose expressions are set up once per
 * transaction, where three functions set up theirs three times.
 */
function sharedVerifier(installed: string, owner: string): string[] {
  const verifier = installed
    .replace('FUNCTION tenancy.current_tenant_id()', 'FUNCTION tenancy_bench.verified_payload()')
    .replace('RETURNS uuid', 'RETURNS text')
    .replace("RETURN split_part(tok, '.', 2)::uuid;", 'RETURN left(tok, -65);');
  const wrapper = (name: string, returns: string, value: string) =>
    `CREATE OR REPLACE FUNCTION tenancy_bench.shared_${name}() RETURNS ${returns} LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT ${value} $$`;
  return [
    verifier,
    `ALTER FUNCTION tenancy_bench.verified_payload() OWNER TO ${owner}`,
    wrapper('tenant_id', 'uuid', "split_part(tenancy_bench.verified_payload(), '.', 2)::uuid"),
    wrapper('user_id', 'uuid', "nullif(split_part(tenancy_bench.verified_payload(), '.', 3), '-')::uuid"),
    wrapper('app_role', 'text', "split_part(tenancy_bench.verified_payload(), '.', 4)"),
  ];
}

function steps(contextSecret: string): Step[] {
  const context = contextFor(contextSecret);
  const rnd = prng(5);
  const point = WORKLOADS.find((w) => w.key === 'point')!;
  const explicit = (t: TenantRef) => point.statement(t, rnd).explicit;
  const insert = WORKLOADS.find((w) => w.key === 'insert')!;
  const policy = (t: TenantRef) => point.statement(t, rnd).context;
  const named = (t: TenantRef): Extra => ({ ...context(t), name: 'tenancy_settings' });
  const withPath = (settings: Extra): Extra => ({
    text: 'SELECT set_config($1, $2, true), set_config($3, $4, true)',
    values: [...settings.values, 'search_path', '"public", "tenancy", pg_temp'],
  });
  const run = (c: pg.Client, s: { text: string; values: unknown[] }, before: Extra[], after: Extra[] = []) =>
    send(c as unknown as pg.PoolClient, s.text, s.values, before, after);
  return [
    { key: 'baseline', role: 'plain', call: (c, t) => c.query(explicit(t).text, explicit(t).values) },
    { key: 'prelude', role: 'plain', call: (c, t) => run(c, explicit(t), [context(t)]) },
    { key: 'policy', role: 'app', call: (c, t) => run(c, policy(t), [context(t)]) },
    { key: 'reset', role: 'app', call: (c, t) => run(c, policy(t), [context(t)], [LIBRARY_RESET]) },
    { key: 'checkOff', role: 'app', call: (c, t) => run(c, { text: 'SELECT 1', values: [] }, [context(t)]) },
    { key: 'checkOn', role: 'app', call: (c, t) => run(c, { text: 'SELECT tenancy.current_tenant_id()', values: [] }, [context(t)]) },
    {
      key: 'insertBaseline',
      role: 'plain',
      call: (c, t) => {
        const s = insert.statement(t, rnd).explicit;
        return c.query(s.text, s.values);
      },
    },
    { key: 'insert', role: 'app', call: (c, t) => run(c, insert.statement(t, rnd).context, [context(t)], [LIBRARY_RESET]) },
    { key: 'sixChecks', role: 'app', call: (c, t) => run(c, { text: sixCalls('tenancy.current_'), values: [] }, [context(t)]) },
    { key: 'threeChecks', role: 'app', call: (c, t) => run(c, { text: threeCalls, values: [] }, [context(t)]) },
    { key: 'sixShared', role: 'app', call: (c, t) => run(c, { text: sixCalls('tenancy_bench.shared_'), values: [] }, [context(t)]) },
    // Alternatives, not what the library sends.
    { key: 'resetWithName', role: 'app', call: (c, t) => run(c, policy(t), [context(t)], [{ ...LIBRARY_RESET, values: [''] }]) },
    // What every call sent before the settings left search_path and application_name to the connection: what PgBouncer still gets.
    { key: 'beforeCuts', role: 'app', call: (c, t) => run(c, policy(t), [withPath(context(t))], [{ ...LIBRARY_RESET, values: [''] }]) },
    { key: 'namedSettings', role: 'app', call: (c, t) => run(c, policy(t), [named(t)]) },
    {
      key: 'namedSweeping',
      role: 'app',
      call: (c, t) => run(c, policy(t), [named(t)], [{ text: `CALL ${SWEEP_RESET}($1)`, values: [null] }]),
    },
  ];
}

/** The total a backend's callgrind output reports; written when the backend exits, so it is awaited. */
async function instructionsOf(dir: string, pid: number): Promise<number> {
  for (let i = 0; i < 300; i++) {
    try {
      const total = /^(?:totals|summary): (\d+)/m.exec(readFileSync(`${dir}/callgrind.out.${pid}`, 'utf8'));
      if (total) return Number(total[1]);
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`callgrind wrote no totals for backend ${pid} in ${dir}: is the server running under bench/scripts/callgrind-postgres.sh?`);
}

export async function instructions(env: BenchEnv): Promise<SectionResult> {
  const dir = process.env.BENCH_CALLGRIND_DIR;
  if (!dir)
    throw new Error(
      'Section instructions counts server instructions: start a server with bench/scripts/callgrind-postgres.sh and set the variables it prints.',
    );
  const urls = productUrls(env.server);
  const admin = new pg.Client({ connectionString: env.server.adminUrl });
  await admin.connect();
  try {
    const installed = (await admin.query<{ src: string }>(`SELECT pg_get_functiondef('tenancy.reset_session(text)'::regprocedure) AS src`)).rows[0]!.src;
    await admin.query('CREATE SCHEMA IF NOT EXISTS tenancy_bench');
    await admin.query(sweepingReset(installed));
    const fn = (
      await admin.query<{ src: string; owner: string }>(
        `SELECT pg_get_functiondef(p.oid) AS src, p.proowner::regrole::text AS owner FROM pg_proc p WHERE p.oid = 'tenancy.current_tenant_id()'::regprocedure`,
      )
    ).rows[0]!;
    for (const ddl of sharedVerifier(fn.src, fn.owner)) await admin.query(ddl);
    await admin.query(`GRANT USAGE ON SCHEMA tenancy_bench TO ${ROLES.app}`);
    await admin.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tenancy_bench TO ${ROLES.app}`);
    await admin.query(`GRANT EXECUTE ON ROUTINE ${SWEEP_RESET}(text) TO ${ROLES.app}`);
  } finally {
    await admin.end();
  }
  const calls = 200;
  const tenants = env.dataset.tenants;
  const rnd = prng(9);
  const url = { plain: env.server.urlAs(ROLES.plain, BENCH_ROLE_PASSWORD), app: urls.appUrl };
  const counts: Record<string, number> = {};
  for (const step of steps(urls.contextSecret)) {
    const total = async (n: number) => {
      const client = new pg.Client({ connectionString: url[step.role], ...TWIN_CONNECTION });
      await client.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // The first calls fill the backend's caches; both runs make them, so they cancel out.
      for (let i = 0; i < 30 + n; i++) await step.call(client, tenants[Math.floor(rnd() * tenants.length)]!);
      await client.end();
      return instructionsOf(dir, pid);
    };
    const once = await total(calls);
    counts[step.key] = ((await total(2 * calls)) - once) / calls;
    env.log(`    ${step.key.padEnd(14)} ${fmt(counts[step.key]!)} instructions per call`);
  }
  return result(env, counts, calls);
}

function insertRows(n: Record<string, number>): [string, number][] {
  return [
    ['insert, explicit tenant_id and created_by (BYPASSRLS role)', n.insertBaseline!],
    ['insert through queryAs: tenant_id and created_by from the defaults, the policies check them', n.insert!],
    ['six verifications in one statement, as an insert made them before (two defaults, four policy terms)', n.sixChecks! - n.checkOff!],
    ['three, as it makes them now (tenant, role read once, user)', n.threeChecks! - n.checkOff!],
    ['six through one shared verifier under SQL wrappers (not adopted)', n.sixShared! - n.checkOff!],
  ];
}

function result(env: BenchEnv, n: Record<string, number>, calls: number): SectionResult {
  const k = (x: number) => fmt(x / 1000, 1);
  const check = n.checkOn! - n.checkOff!;
  const parts: [string, number, string][] = [
    ['the baseline call (explicit WHERE, BYPASSRLS role)', n.baseline!, 'baseline'],
    ['+ the context settings statement', n.prelude! - n.baseline!, 'prelude − baseline'],
    ['+ policy: the signed token check (its InitPlan)', check, 'SELECT current_tenant_id() − SELECT 1'],
    ['+ policy: rewrite, plan and filter beyond the check', n.policy! - n.prelude! - check, 'policy − prelude − check'],
    ['+ the session reset', n.reset! - n.policy!, 'reset − policy'],
    ['= queryAs on the wire', n.reset!, 'reset'],
  ];
  const extra = n.reset! - n.baseline!;
  const partRows: Cell[][] = parts.map(([label, value, how], i) => [
    label,
    k(value),
    i === 0 || i === parts.length - 1 ? '' : `${((value / extra) * 100).toFixed(0)}%`,
    how,
  ]);
  const alternatives: [string, number, string][] = [
    ['as the library sends it (the reset leaves application_name alone on a direct connection)', n.reset!, 'the product'],
    ['the reset also sets application_name, as it must behind PgBouncer', n.resetWithName!, 'the product behind PgBouncer (reset)'],
    ['the settings also set search_path and the reset application_name: every call before these two cuts', n.beforeCuts!, 'the product behind PgBouncer'],
    ['the settings statement named, parsed once per connection, no reset', n.namedSettings!, 'against the last row: the parse saved'],
    ['the settings statement named, and a reset that keeps it (drops SQL-level statements one by one)', n.namedSweeping!, 'not adopted'],
  ];
  // The named row has no reset: it compares with the policy row, not with the product.
  const altRows: Cell[][] = alternatives.map(([label, value, note]) => [
    label,
    k(value),
    label.includes('no reset') ? '' : `${(((value - n.reset!) / n.reset!) * 100).toFixed(1)}%`,
    note,
  ]);
  const floor = n.baseline! / (n.baseline! + (n.prelude! - n.baseline!) + check + (n.reset! - n.policy!));
  return {
    name: 'instructions',
    title: '8. Server instructions per call (callgrind)',
    machine: env.machine,
    intro: [text('intro', { calls: fmt(calls), tenants: env.dataset.tenants.length })],
    tables: [
      {
        id: 'parts',
        title: '8.1 One queryAs point lookup, part by part (thousands of server instructions per call)',
        columns: ['part', 'k instructions', 'share of the extra', 'measured as'],
        rows: partRows,
        notes: [text('floor', { floor: floor.toFixed(2), ratio: (n.baseline! / n.reset!).toFixed(2) })],
      },
      {
        id: 'insert',
        title: '8.2 An insert, and the verifications it pays (thousands of server instructions per call)',
        columns: ['what', 'k instructions', 'against the baseline insert'],
        rows: insertRows(n).map(([label, value]) => [label, k(value), label.startsWith('insert') ? `${(value / n.insertBaseline!).toFixed(2)}x` : '']),
        notes: [
          text('insert', {
            each: k((n.sixChecks! - n.checkOff!) / 6),
            saved: k(n.sixChecks! - n.threeChecks!),
            shared: k((n.sixShared! - n.checkOff!) / 6),
          }),
        ],
      },
      {
        id: 'alternatives',
        title: '8.3 Designs measured against each other (thousands of server instructions per call)',
        columns: ['design', 'k instructions', 'against the product', 'status'],
        rows: [...altRows, ['policy (settings unnamed, no reset), for the named row above', k(n.policy!), '', '']],
        notes: [
          text('alternatives', {
            named: k(n.policy! - n.namedSettings!),
            sweep: k(n.namedSweeping! - (n.reset! - n.policy! + n.namedSettings!)),
            net: k(Math.abs(n.reset! - n.namedSweeping!)),
            netShare: ((Math.abs(n.reset! - n.namedSweeping!) / n.reset!) * 100).toFixed(1),
            saves: n.namedSweeping! < n.reset! ? 'yes' : '',
            name: k(n.resetWithName! - n.reset!),
            path: k(n.beforeCuts! - n.resetWithName!),
            before: k(n.beforeCuts!),
            now: k(n.reset!),
            cut: (((n.beforeCuts! - n.reset!) / n.beforeCuts!) * 100).toFixed(1),
          }),
        ],
      },
    ],
    notes: [],
    data: { counts: n, calls },
  };
}
