import type { AppTenancy } from '@repo/db/tenancy';
import pg from 'pg';
import { benchTenancy, type TenantRef } from '../harness/dataset';
import { ROLES, withClient } from '../harness/database';
import { warmPool, type BenchEnv } from '../harness/env';
import { prng } from '../harness/ids';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { WORKLOADS, type Statement } from '../harness/workloads';
import { NIL_TENANT, SEED_004_PASSWORD } from '../peers/seeds';
import { prose } from '../harness/prose';

const text = prose('plans');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Actual Loops'?: number;
  Filter?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

interface ExplainOutput {
  Plan: PlanNode;
  'Execution Time': number;
  /** Calls of the context functions (product's and seeds') the statement made, from pg_stat_get_xact_function_calls. */
  contextCalls?: number;
}

const CONTEXT_CALLS = `SELECT coalesce(sum(pg_stat_get_xact_function_calls(p.oid)), 0)::int AS n
  FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
 WHERE (s.nspname = 'tenancy' AND p.proname IN ('current_tenant_id', 'current_user_id', 'current_app_role'))
    OR (s.nspname = 'seeds' AND p.proname IN ('current_tenant_id', 'get_tenant_id'))`;

interface PlanRow {
  workload: string;
  approach: string;
  scans: string;
  tenantIndex: 'yes' | 'no: SEQ SCAN' | 'n/a: by id' | 'n/a: insert' | 'no';
  context: string;
  rowsRemoved: number;
  contextCalls: number | null;
  buffers: number;
  executionMs: number;
  plan: PlanNode;
}

const TENANT_TABLES = new Set(['tasks', 'projects']);
const EXPLAIN = 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ';

class Rollback extends Error {
  constructor(readonly output: ExplainOutput) {
    super('rollback');
  }
}

function walk(node: PlanNode, visit: (n: PlanNode, parent?: PlanNode) => void, parent?: PlanNode): void {
  visit(node, parent);
  for (const child of node.Plans ?? []) walk(child, visit, node);
}

export async function plans(env: BenchEnv): Promise<SectionResult> {
  const { server, config, dataset } = env;
  // Which column each index leads with, by index name (the same names in every placement).
  const leading = new Map<string, string>();
  await withClient(server.adminUrl, async (c) => {
    const { rows } = await c.query<{ index: string; col: string }>(
      `SELECT i.relname AS index, a.attname AS col FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]`,
    );
    for (const r of rows) leading.set(r.index, r.col);
  });

  // Count context-function calls per statement: track_functions for this section's new sessions only.
  const databases = await withClient(server.adminUrl, async (c) => [
    server.database,
    ...(await c.query<{ d: string }>('SELECT database_name AS d FROM tenancy.tenants WHERE database_name IS NOT NULL')).rows.map((r) => r.d),
  ]);
  // setup() revokes the statistics functions from PUBLIC (a tenant must not read another's counters): this section
  // hands the one it reads back to every role of each database for its own duration.
  const trackFunctions = async (on: boolean) => {
    for (const d of databases) {
      await withClient(server.serverUrl(d), async (c) => {
        await c.query(`ALTER DATABASE ${pg.escapeIdentifier(d)} ${on ? "SET track_functions = 'pl'" : 'RESET track_functions'}`);
        await c.query(`${on ? 'GRANT' : 'REVOKE'} EXECUTE ON FUNCTION pg_stat_get_xact_function_calls(oid) ${on ? 'TO' : 'FROM'} PUBLIC`);
      });
    }
  };
  await trackFunctions(true);

  const pools: pg.Pool[] = [];
  const pool = async (role: string) => {
    const p = await warmPool({ connectionString: server.urlAs(role), max: 1 });
    pools.push(p);
    return p;
  };
  const tenancy: AppTenancy = benchTenancy(server, config, { appPoolSize: 1 });
  const rows: PlanRow[] = [];
  try {
    const plain = await pool(ROLES.plain);
    const setting = await pool(ROLES.setting);
    const s003 = await pool(ROLES.s003);
    const s004 = await pool(ROLES.s004);

    /** Runs EXPLAIN ANALYZE in a transaction that is rolled back (the insert lands nowhere). */
    const inTx = async (
      p: pg.Pool,
      run: (c: pg.PoolClient) => Promise<ExplainOutput>,
      setup?: (c: pg.PoolClient) => Promise<void>,
      teardown?: (c: pg.PoolClient) => Promise<void>,
    ) => {
      const c = await p.connect();
      try {
        await setup?.(c);
        await c.query('BEGIN');
        try {
          return await run(c);
        } finally {
          await c.query('ROLLBACK');
          await teardown?.(c);
        }
      } finally {
        c.release();
      }
    };
    const explainOn = async (c: pg.PoolClient, s: { text: string; values: unknown[] }) => {
      // The counts are the backend's pending ones (earlier transactions included): take the difference.
      const before = (await c.query<{ n: number }>(CONTEXT_CALLS)).rows[0]!.n;
      const out = (await c.query<{ 'QUERY PLAN': ExplainOutput[] }>(EXPLAIN + s.text, s.values)).rows[0]!['QUERY PLAN'][0]!;
      out.contextCalls = (await c.query<{ n: number }>(CONTEXT_CALLS)).rows[0]!.n - before;
      return out;
    };

    type Way = { label: string; tenant: TenantRef; explain: (s: Statement, t: TenantRef) => Promise<ExplainOutput> };
    const largest = dataset.tenants[0]!;
    const ways: Way[] = [{ label: 'WHERE (no RLS)', tenant: largest, explain: (s) => inTx(plain, (c) => explainOn(c, s.explicit)) }];
    // `filtered`: the explicit `WHERE tenant_id = $1` sent through the library, beside the policy that still enforces.
    const product = (strategy: string, tenant: TenantRef, filtered = false): Way => ({
      label: `this project, ${strategy}${filtered ? ' + tenant filter' : ''} (queryAs / withTenant)`,
      tenant,
      explain: async (s, t) => {
        try {
          await tenancy.withTenant(
            t.id,
            async (tx) => {
              const before = (await tx.query<{ n: number }>(CONTEXT_CALLS)).rows[0]!.n;
              const form = filtered ? s.explicit : s.context;
              const r = await tx.query<{ 'QUERY PLAN': ExplainOutput[] }>(EXPLAIN + form.text, form.values);
              const out = r.rows[0]!['QUERY PLAN'][0]!;
              out.contextCalls = (await tx.query<{ n: number }>(CONTEXT_CALLS)).rows[0]!.n - before;
              throw new Rollback(out);
            },
            { role: 'member', userId: t.userId },
          );
        } catch (error) {
          if (error instanceof Rollback) return error.output;
          throw error;
        }
        throw new Error('unreachable');
      },
    });
    ways.push(product('rls', largest), product('rls', largest, true));
    for (const strategy of ['schema', 'database'] as const) {
      const placed = dataset.placed[strategy];
      if (placed) ways.push(product(strategy, placed.tenants[0]!));
    }
    const sessionSet = (c: pg.PoolClient, t: TenantRef) => c.query(`SET app.current_tenant_id = ${pg.escapeLiteral(t.id)}`).then(() => undefined);
    ways.push(
      {
        label: 'seeds 001/002 (unwrapped current_setting)',
        tenant: largest,
        explain: (s, t) =>
          inTx(
            setting,
            (c) => explainOn(c, s.seed),
            (c) => sessionSet(c, t),
          ),
      },
      {
        label: 'seed 003 (plpgsql volatile fn, join policy)',
        tenant: largest,
        explain: (s, t) =>
          inTx(
            s003,
            (c) => explainOn(c, s.seed),
            (c) => sessionSet(c, t),
          ),
      },
      {
        label: 'seed 004 (pid table, SECURITY DEFINER getter)',
        tenant: largest,
        explain: (s, t) =>
          inTx(
            s004,
            (c) => explainOn(c, s.seed),
            (c) => c.query('SELECT set_tenant_id($1, $2)', [t.id, SEED_004_PASSWORD]).then(() => undefined),
            (c) => c.query('SELECT set_tenant_id($1, $2)', [NIL_TENANT, SEED_004_PASSWORD]).then(() => undefined),
          ),
      },
    );

    const rnd = prng(7);
    for (const workload of WORKLOADS) {
      for (const way of ways) {
        const statement = workload.statement(way.tenant, rnd);
        // Once untimed, so the timed plan reads from a warm cache like the benchmark does.
        await way.explain(statement, way.tenant);
        const out = await way.explain(statement, way.tenant);
        rows.push(analyse(workload.label, way.label, out, leading));
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await tenancy.close();
    await trackFunctions(false);
  }

  const table: Table = {
    id: 'plans',
    title: `4.1 Plans as the app role, for the largest tenant (${dataset.totals.largest.slug}, ${dataset.totals.largest.tasks.toLocaleString('en-US')} tasks)`,
    columns: [
      'workload',
      'approach',
      'scans (table: node index)',
      'tenant index used',
      'context evaluated',
      'context function calls',
      'rows removed by filter',
      'buffers',
      'execution ms',
    ],
    rows: rows.map((r) => [
      r.workload,
      r.approach,
      r.scans,
      r.tenantIndex,
      r.context,
      r.contextCalls ?? '–',
      r.rowsRemoved,
      r.buffers,
      r.executionMs < 10 ? r.executionMs.toFixed(3) : r.executionMs.toFixed(1),
    ]),
    chart: groupedBarChart(
      'Execution time of each plan (EXPLAIN ANALYZE, largest tenant), ms, log scale',
      'ms',
      rows.map((r) => ({ label: r.workload, series: r.approach, value: r.executionMs })),
      true,
    ),
  };
  const defeated = rows.filter((r) => r.tenantIndex === 'no: SEQ SCAN');
  // Index used, yet far slower than WHERE: a plan chosen without knowing the tenant.
  const slower = rows.filter((r) => {
    const where = rows.find((w) => w.workload === r.workload && w.approach.startsWith('WHERE'));
    return where && r !== where && r.tenantIndex !== 'no: SEQ SCAN' && r.executionMs > 5 * where.executionMs && r.executionMs - where.executionMs > 1;
  });
  return {
    name: 'plans',
    title: '4. Query plans',
    machine: env.machine,
    intro: [text('method'), text('columns')],
    tables: [table],
    notes: [
      defeated.length
        ? `**Plans where the policy defeats the index:** ${defeated.map((r) => `${r.approach} / ${r.workload} (${r.scans}, ${r.executionMs.toFixed(1)} ms)`).join('; ')}.`
        : '**No plan** falls back to a sequential scan of a tenant table.',
      ...(slower.length
        ? [
            text('index-used-still-slow', {
              slower: slower
                .map(
                  (r) =>
                    `${r.approach} / ${r.workload} (${r.scans}, ${r.executionMs.toFixed(1)} ms against ${rows.find((w) => w.workload === r.workload && w.approach.startsWith('WHERE'))!.executionMs.toFixed(1)} ms for WHERE)`,
                )
                .join('; '),
            }),
          ]
        : []),
      ...filteredNotes(rows),
    ],
    data: { rows },
  };
}

/** The rls statements sent with the tenant's own filter beside the policy, against the same without it and WHERE alone. */
function filteredNotes(rows: PlanRow[]): string[] {
  const lines = rows
    .filter((r) => r.approach.includes('+ tenant filter'))
    .map((r) => {
      const same = (prefix: string) => rows.find((w) => w.workload === r.workload && w.approach.startsWith(prefix));
      const policy = same('this project, rls (');
      const where = same('WHERE');
      return `${r.workload}: ${r.executionMs.toFixed(2)} ms, ${r.buffers} buffers (policy alone ${policy?.executionMs.toFixed(2) ?? '–'} ms, ${policy?.buffers ?? '–'}; WHERE ${where?.executionMs.toFixed(2) ?? '–'} ms, ${where?.buffers ?? '–'})`;
    });
  return lines.length ? [text('tenant-filter', { lines: lines.join('; ') })] : [];
}

function analyse(workload: string, approach: string, out: ExplainOutput, leading: Map<string, string>): PlanRow {
  const scans: string[] = [];
  let seq = false;
  let tenantLeading = false;
  let indexOnTenantTables = 0;
  let rowsRemoved = 0;
  let buffers = 0;
  let initPlan = false;
  let perRowFilter = false;
  let indexKey = false;
  let inserts = false;
  walk(out.Plan, (n, parent) => {
    rowsRemoved += (n['Rows Removed by Filter'] ?? 0) * (n['Actual Loops'] ?? 1);
    if (n['Parent Relationship'] === 'InitPlan') initPlan = true;
    const relation = n['Relation Name'] ?? (n['Node Type'] === 'Bitmap Index Scan' ? parent?.['Relation Name'] : undefined);
    if (n['Node Type'] === 'Bitmap Heap Scan') return;
    if (!relation || !TENANT_TABLES.has(relation)) return;
    const index = n['Index Name'];
    const where =
      n['Parent Relationship'] === 'SubPlan' || n['Parent Relationship'] === 'InitPlan' ? ` (${n['Subplan Name'] ?? n['Parent Relationship']})` : '';
    scans.push(`${relation}: ${n['Node Type']}${index ? ` ${index}` : ''}${where}`);
    if (n['Node Type'] === 'ModifyTable') {
      inserts = true;
      return;
    }
    if (n['Node Type'] === 'Seq Scan') seq = true;
    if (index) {
      indexOnTenantTables++;
      if (leading.get(index) === 'tenant_id') tenantLeading = true;
    }
    const filter = n.Filter ?? '';
    if (/current_tenant_id|get_tenant_id|current_setting/.test(filter)) perRowFilter = true;
    if (/current_setting|get_tenant_id|current_tenant_id/.test(n['Index Cond'] ?? '')) indexKey = true;
  });
  buffers = (out.Plan['Shared Hit Blocks'] ?? 0) + (out.Plan['Shared Read Blocks'] ?? 0);
  const tenantIndex: PlanRow['tenantIndex'] = seq
    ? 'no: SEQ SCAN'
    : tenantLeading
      ? 'yes'
      : indexOnTenantTables > 0
        ? 'n/a: by id'
        : inserts
          ? 'n/a: insert'
          : 'no';
  const context = [initPlan ? 'once (InitPlan)' : '', indexKey ? 'as index key' : '', perRowFilter ? 'per row' : ''].filter(Boolean).join(' + ') || '–';
  return {
    workload,
    approach,
    scans: [...new Set(scans)].join('; '),
    tenantIndex,
    context,
    contextCalls: out.contextCalls ?? null,
    rowsRemoved: Math.round(rowsRemoved),
    buffers,
    executionMs: out['Execution Time'],
    plan: out.Plan,
  };
}
