import type { AppTenancy } from '@repo/db/tenancy';
import type { StrategyName } from '@repo/tenancy';
import pg from 'pg';
import { queryAsApproach, seedApproaches, whereApproach, whereTxApproach, withTenantApproach, type Approach } from '../harness/approaches';
import { benchTenancy, type TenantRef } from '../harness/dataset';
import { ROLES } from '../harness/database';
import { fmt, fmtMs, fmtRatio, warmPool, type BenchEnv } from '../harness/env';
import { groupedBarChart, ratioChart, readStored, type Cell, type RatioBar, type SectionResult, type Table } from '../harness/report';
import { runChain, type Side, type Stats } from '../harness/runner';
import { WORKLOADS, type Workload, type WorkloadKey } from '../harness/workloads';
import { cpuProbe } from '../harness/cpu';
import { HYGIENE_LIMIT, hygieneOf, hygieneTable, measureResetCost, type ResetCost } from '../harness/reset-cost';
import { prose } from '../harness/prose';
import { measureBreakdown, type Breakdown } from '../harness/breakdown';
import { breakdownTables } from '../harness/breakdown-report';

const text = prose('context-cost');

/** The goals of the issue, as thresholds on a row's ratio. */
interface Goal {
  id: string;
  text: string;
  threshold: number;
  applies(row: { key: string; workload: WorkloadKey }): boolean;
}

const GOALS: Goal[] = [
  {
    id: 'queryAs-point',
    text: 'queryAs point lookup ≥ 0.85x of the baseline',
    threshold: 0.85,
    applies: (r) => r.workload === 'point' && /^queryAs-[a-z]+$/.test(r.key),
  },
  {
    id: 'queryAs-newest',
    text: 'queryAs newest-50 ≥ 0.9x of the baseline',
    threshold: 0.9,
    applies: (r) => r.workload === 'newest' && /^queryAs-[a-z]+$/.test(r.key),
  },
  {
    id: 'rls-join',
    text: 'the rls join ≥ 0.8x of the baseline',
    threshold: 0.8,
    applies: (r) => r.workload === 'join' && (r.key === 'queryAs-rls' || r.key === 'queryAs-rls-tenant-filter'),
  },
  {
    id: 'withTenant-3',
    text: 'withTenant, 3 statements ≥ 1.0x of the same 3 with explicit WHERE in BEGIN/COMMIT',
    threshold: 1.0,
    applies: (r) => /^withTenant-[a-z]+-3$/.test(r.key),
  },
];

interface Group {
  key: string;
  title: string;
  baselineShort: string;
  baseline: Side;
  peers: Side[];
}

interface Row extends Stats {
  workload: WorkloadKey;
  group: string;
  baselineShort: string;
  baselineKey: string;
  isBaseline: boolean;
  goal?: { id: string; threshold: number; met: boolean; borderline: boolean };
}

function kindOf(key: string, isBaseline: boolean): string {
  if (isBaseline) return 'baseline';
  if (key.startsWith('where')) return 'explicit WHERE';
  if (key.startsWith('seed')) return 'seed peer';
  if (key.includes('cache')) return 'diagnostic';
  return 'this project';
}

/** The goal rows of the last stored run of the same mode, to show beside this run's. */
interface Previous {
  date: string;
  rows: Pick<Row, 'key' | 'workload' | 'group' | 'ratio' | 'ratioMin' | 'ratioMax'>[];
}

function previousRun(mode: string): Previous | undefined {
  const stored = readStored('context-cost');
  if (!stored || stored.machine.mode !== mode) return undefined;
  return { date: stored.machine.date, rows: (stored.data as { rows: Previous['rows'] }).rows };
}

export async function contextCost(env: BenchEnv): Promise<SectionResult> {
  const { server, config, dataset, log } = env;
  const previous = previousRun(env.machine.mode);
  const pools: pg.Pool[] = [];
  const pool = async (role: string) => {
    const p = await warmPool({ connectionString: server.urlAs(role), max: config.poolSize });
    pools.push(p);
    return p;
  };
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  const sessions = async () => Number((await admin.query<{ n: string }>('SELECT sum(sessions) AS n FROM pg_stat_database')).rows[0]!.n);
  const tenancies: AppTenancy[] = [];
  const tenancy = (overrides = {}) => {
    const t = benchTenancy(server, config, overrides);
    tenancies.push(t);
    return t;
  };
  try {
    const plain = await pool(ROLES.plain);
    const seeds = seedApproaches({
      setting001: await pool(ROLES.setting),
      setting002: await pool(ROLES.setting),
      s003: await pool(ROLES.s003),
      s004: await pool(ROLES.s004),
    });
    const product = tenancy();
    // Diagnostic: the same call with tenant lookups cached for a minute instead of the default 5 s (catalogCacheMs).
    const longCache = tenancy({ catalogCacheMs: 60_000 });
    const where = whereApproach(plain);
    const whereTx = whereTxApproach(plain, 1);
    const whereTx3 = whereTxApproach(plain, 3);
    const all = dataset.tenants;
    const side = (approach: Approach, tenants: TenantRef[]): Side => ({ approach, tenants });

    const groups: Group[] = [
      {
        key: 'all',
        title: `one statement, ${all.length} rls tenants`,
        baselineShort: 'WHERE',
        baseline: side(where, all),
        peers: [
          side(whereTx, all),
          side(queryAsApproach(product, 'rls'), all),
          side(withTenantApproach(product, 'rls', 1), all),
          side(queryAsApproach(longCache, 'rls', 'catalog cache 60 s'), all),
          side(queryAsApproach(product, 'rls', '', 'filtered'), all),
          ...seeds.map((s) => side(s, all)),
        ],
      },
      {
        key: 'three',
        title: 'three statements in one transaction',
        baselineShort: 'WHERE ×3 in tx',
        baseline: side(whereTx3, all),
        peers: [side(withTenantApproach(product, 'rls', 3), all), side(withTenantApproach(product, 'rls', 3, 'filtered'), all)],
      },
    ];
    for (const strategy of ['schema', 'database'] as const) {
      const placed = dataset.placed[strategy];
      if (!placed) continue;
      groups.push(
        {
          key: strategy,
          title: `one statement, ${placed.tenants.length} ${strategy} tenants (baseline: their rls twins)`,
          baselineShort: `WHERE, ${strategy} twins`,
          baseline: side(where, placed.rlsTwins),
          peers: [side(queryAsApproach(product, strategy), placed.tenants), side(withTenantApproach(product, strategy, 1), placed.tenants)],
        },
        {
          key: `${strategy}-three`,
          title: `three statements, ${strategy} tenants`,
          baselineShort: `WHERE ×3 in tx, ${strategy} twins`,
          baseline: side(whereTx3, placed.rlsTwins),
          peers: [side(withTenantApproach(product, strategy, 3), placed.tenants)],
        },
      );
    }

    // CPU per call is read only from a server on this machine (its backends' /proc entries).
    const cpu = server.source.startsWith('embedded') ? cpuProbe(admin) : undefined;
    const settings = { callers: config.callers, roundMs: config.roundMs, warmupMs: config.warmupMs, passes: config.passes, sessions, cpu };
    const rows: Row[] = [];
    for (const workload of WORKLOADS) {
      log(`  ${workload.label}`);
      for (const group of groups) {
        const result = await runChain(group.baseline, group.peers, workload, settings, (s) =>
          log(
            `    ${s.label.padEnd(38)} ${fmt(s.opsPerSec).padStart(7)} ops/s  ${fmtRatio(s.ratio, s.ratioMin, s.ratioMax)}${s.errors ? `  ${s.errors} ERRORS: ${s.errorSamples[0]}` : ''}`,
          ),
        );
        const base = { workload: workload.key, group: group.key, baselineShort: group.baselineShort, baselineKey: group.baseline.approach.key };
        rows.push({ ...result.baseline, ...base, isBaseline: true });
        for (const peer of result.peers) rows.push(withGoal({ ...peer, ...base, isBaseline: false }));
      }
    }
    log('  one context check on the server');
    const checks = await contextCheckCost(env, admin, product);
    log('  what the session reset costs one call');
    const reset = await measureResetCost(env);
    // Server CPU per part is read from the backends' /proc entries: only for a server on this machine.
    log('  where one queryAs call goes, part by part');
    const breakdown = cpu ? await measureBreakdown(env, { product, cached: tenancy({ catalogCacheMs: 3_600_000 }) }) : undefined;
    return buildResult(env, rows, groups, checks, reset, breakdown, previous);
  } finally {
    await Promise.all([...pools.map((p) => p.end()), ...tenancies.map((t) => t.close())]);
    await admin.end();
  }
}

function previousCell(previous: Previous | undefined, r: Row): string {
  const before = previous?.rows.find((p) => p.key === r.key && p.workload === r.workload && p.group === r.group);
  return before ? fmtRatio(before.ratio, before.ratioMin, before.ratioMax) : '–';
}

function withGoal(row: Row): Row {
  const goal = GOALS.find((g) => g.applies(row));
  if (!goal) return row;
  return {
    ...row,
    goal: {
      id: goal.id,
      threshold: goal.threshold,
      met: row.ratio >= goal.threshold,
      borderline: row.ratioMin < goal.threshold && row.ratioMax >= goal.threshold,
    },
  };
}

function goalCell(row: Row): string {
  if (!row.goal) return '';
  const status = row.goal.met ? 'met' : 'MISSED';
  return `≥ ${row.goal.threshold.toFixed(2)}x: **${status}**${row.goal.borderline ? ' (spread crosses it)' : ''}`;
}

function buildResult(
  env: BenchEnv,
  rows: Row[],
  groups: Group[],
  checks: CheckCost[],
  reset: ResetCost[],
  breakdown: Breakdown | undefined,
  previous: Previous | undefined,
): SectionResult {
  const { config, dataset } = env;
  const tables: Table[] = [];
  for (const workload of WORKLOADS) {
    const mine = rows.filter((r) => r.workload === workload.key);
    const tableRows: Cell[][] = mine.map((r) => [
      r.label,
      r.baselineShort,
      fmt(r.opsPerSec),
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
      r.isBaseline ? `1.00x (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)})` : fmtRatio(r.ratio, r.ratioMin, r.ratioMax),
      r.errors ? `${r.errors} of ${r.calls}: ${r.errorSamples[0]}` : `0 of ${r.calls}`,
      r.connectionsPer1k >= 0.5 ? fmt(r.connectionsPer1k) : '0',
      goalCell(r),
    ]);
    const bars: RatioBar[] = mine.map((r) => ({
      label: r.isBaseline ? `baseline: ${r.baselineShort}` : r.label,
      ratio: r.ratio,
      min: r.ratioMin,
      max: r.ratioMax,
      kind: kindOf(r.key, r.isBaseline),
      goal: r.goal?.threshold,
    }));
    tables.push({
      id: workload.key,
      title: `1.${WORKLOADS.indexOf(workload) + 1} ${workload.label}`,
      columns: [
        'approach',
        'ratio to',
        'ops/s',
        'p50 ms',
        'p99 ms',
        'ratio (spread)',
        'errors (wrong rows count)',
        'new server connections / 1k calls',
        'goal',
      ],
      rows: tableRows,
      chart: ratioChart(`${workload.label}: ops/s relative to the baseline`, bars),
    });
  }

  // Goals, gathered.
  const goalRows = rows.filter((r) => r.goal);
  const goalsTable: Table = {
    id: 'goals',
    title: 'Goals (section 1)',
    columns: ['goal', 'approach', 'workload', 'measured (spread)', previous ? `previous run, ${previous.date.slice(0, 10)}` : 'previous run', 'status'],
    rows: goalRows.map((r) => [
      GOALS.find((g) => g.id === r.goal!.id)!.text,
      r.label,
      WORKLOADS.find((w) => w.key === r.workload)!.label,
      fmtRatio(r.ratio, r.ratioMin, r.ratioMax),
      previousCell(previous, r),
      `**${r.goal!.met ? 'met' : 'MISSED'}** by ${Math.abs(r.ratio - r.goal!.threshold).toFixed(2)}${r.goal!.borderline ? ' (spread crosses it)' : ''}`,
    ]),
  };
  const seedRows = rows.filter((r) => r.key.startsWith('seed'));
  goalsTable.rows.push([
    'every seed approach shown for what it costs',
    `${new Set(seedRows.map((r) => r.key)).size} seed peers`,
    'all five',
    seedRows.length ? `${Math.min(...seedRows.map((r) => r.ratio)).toFixed(2)}x – ${Math.max(...seedRows.map((r) => r.ratio)).toFixed(2)}x` : '–',
    '',
    seedRows.length && seedRows.every((r) => r.errors === 0) ? '**met**' : '**MISSED** (errors or not measured)',
  ]);
  const hygiene = hygieneOf(rows, reset);
  if (hygiene.length) {
    const worst = hygiene.reduce((a, b) => (b.drop > a.drop ? b : a));
    goalsTable.rows.push([
      `the session reset lowers no queryAs or withTenant ratio by more than ${HYGIENE_LIMIT.toFixed(2)} (1.7)`,
      'queryAs, withTenant ×3 (rls)',
      `worst: ${worst.call} / ${worst.workload}`,
      `lowered by ${worst.drop.toFixed(3)}`,
      '',
      worst.drop <= HYGIENE_LIMIT ? '**met**' : `**MISSED** by ${(worst.drop - HYGIENE_LIMIT).toFixed(3)}`,
    ]);
  }
  goalsTable.chart = ratioChart(
    'Goals: measured ratio (bar), spread (line), goal (orange tick)',
    goalRows.map((r) => ({
      label: `${r.label} — ${WORKLOADS.find((w) => w.key === r.workload)!.label}`,
      ratio: r.ratio,
      min: r.ratioMin,
      max: r.ratioMax,
      kind: kindOf(r.key, false),
      goal: r.goal!.threshold,
    })),
  );
  goalsTable.notes = contextNotes(rows, checks);
  tables.push({
    id: 'context-check',
    title: '1.6 One context check on the server (why the figures above are what they are)',
    columns: ['what a policy calls', 'µs per call (best of 5)', 'calls per run'],
    rows: checks.map((c) => [c.label, c.micros === null ? `– (${c.note ?? 'not measured'})` : c.micros.toFixed(1), c.calls]),
    notes: [text('context-check')],
    chart: groupedBarChart(
      'Server time of one context check (µs per call)',
      'µs per call',
      checks.filter((c) => c.micros !== null).map((c) => ({ label: c.label, series: 'µs per call', value: c.micros! })),
    ),
  });

  tables.push(hygieneTable(hygiene, reset));
  if (breakdown) tables.push(...breakdownTables(breakdown));

  const approaches = new Map<string, Row>();
  for (const r of rows) if (!approaches.has(r.key)) approaches.set(r.key, r);
  const legend = [...approaches.values()].map((r) => `- **${r.label}**: ${r.detail}.`);
  const unavailable = Object.entries(dataset.unavailable).map(([s, why]) => `- **${s}** strategy: not available yet (${why}).`);

  const intro = [
    text('data', {
      tenants: fmt(dataset.totals.tenants),
      projects: fmt(dataset.totals.projects),
      tasks: fmt(dataset.totals.tasks),
      largestTasks: fmt(dataset.totals.largest.tasks),
      smallestTasks: fmt(dataset.totals.smallest.tasks),
      loadSeconds: dataset.loadSeconds,
    }),
    text('approaches', { poolSize: config.poolSize, callers: config.callers, roundMs: config.roundMs, passes: config.passes }),
    text('roles'),
    'Approaches:',
    legend.join('\n'),
    ...(unavailable.length ? ['Strategies not measured:', unavailable.join('\n')] : []),
    `Groups: ${groups.map((g) => `**${g.key}** (${g.title}, compared with ${g.baselineShort})`).join('; ')}.`,
  ];

  return {
    name: 'context-cost',
    title: '1. Cost of the tenant context',
    machine: env.machine,
    intro,
    tables,
    summary: goalsTable,
    notes: ['Which goals are missed and why: see **Goals** at the top of this file.'],
    data: { config, totals: dataset.totals, unavailable: dataset.unavailable, rows, checks, breakdown },
  };
}

function find(rows: Row[], workload: WorkloadKey, key: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.key === key);
}

/** Which goals are missed, by how much, and what the same run says about why. */
function contextNotes(rows: Row[], checks: CheckCost[]): string[] {
  const notes: string[] = [];
  const label = (key: WorkloadKey) => WORKLOADS.find((w) => w.key === key)!.label;
  const missed = rows.filter((r) => r.goal && !r.goal.met);
  const met = rows.filter((r) => r.goal && r.goal.met);
  if (missed.length === 0) notes.push(`**Goals:** all ${met.length} goal rows are met.`);
  else {
    const lines = GOALS.map((goal) => {
      const mine = rows.filter((r) => r.goal?.id === goal.id);
      if (!mine.length) return '';
      const miss = mine.filter((r) => !r.goal!.met);
      const list = (xs: Row[]) => xs.map((r) => `${r.label}${goal.id === 'withTenant-3' ? ` / ${label(r.workload)}` : ''} ${r.ratio.toFixed(2)}x`).join(', ');
      return miss.length
        ? `- ${goal.text}: **missed** ${miss.length} of ${mine.length} (${list(miss)})${miss.length < mine.length ? `; met: ${list(mine.filter((r) => r.goal!.met))}` : ''}.`
        : `- ${goal.text}: **met** (${list(mine)}).`;
    }).filter(Boolean);
    notes.push(`**Goals missed: ${missed.length} of ${missed.length + met.length} goal rows.**`, lines.join('\n'));
  }
  const why: string[] = [];
  const micros = (key: string) => checks.find((c) => c.key === key)?.micros ?? null;
  const installed = micros('installed');
  const unbounded = micros('unbounded-regex');
  const plain = micros('plpgsql-setting');
  if (installed !== null) {
    why.push(
      text('why-signed-check', {
        installed: installed.toFixed(1),
        plain: plain?.toFixed(1) ?? '',
        unbounded: unbounded?.toFixed(0) ?? '',
        regexShare: unbounded !== null ? Math.round(((installed - unbounded) / installed) * 100) : '',
        invoker: micros('invoker')?.toFixed(1) ?? '',
      }),
    );
  }
  for (const workload of ['point', 'newest'] as const) {
    const q = find(rows, workload, 'queryAs-rls');
    const cached = find(rows, workload, 'queryAs-rls-catalog-cache-60-s');
    if (q && cached && cached.ratio > q.ratio + 0.03) {
      why.push(text('why-tenant-lookups', { workload: label(workload), ratioDefault: q.ratio.toFixed(2), ratioCached: cached.ratio.toFixed(2) }));
    }
  }
  const three = WORKLOADS.map((w) => find(rows, w.key, 'withTenant-rls-3')).filter((r): r is Row => r !== undefined);
  if (three.length) {
    why.push(text('why-with-tenant-3', { ratios: three.map((r) => `${label(r.workload)} ${r.ratio.toFixed(2)}x`).join(', ') }));
  }
  const churn = rows.filter((r) => !r.isBaseline && r.connectionsPer1k >= 5);
  if (churn.length) {
    const byApproach = new Map<string, number[]>();
    for (const r of churn) byApproach.set(r.label, [...(byApproach.get(r.label) ?? []), r.connectionsPer1k]);
    why.push(
      text('why-reconnecting', {
        opened: [...byApproach].map(([l, xs]) => `${l} opened ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} server connections per 1,000 calls`).join('; '),
      }),
    );
  }
  const seeds = rows.filter((r) => r.key.startsWith('seed') && r.workload === 'point');
  if (seeds.length) {
    why.push(text('why-seeds', { ratios: seeds.map((r) => `${r.label} ${r.ratio.toFixed(2)}x`).join('; ') }));
  }
  if (why.length) notes.push('**What this run says about why:**', why.join('\n'));
  return notes;
}

export type { Workload, StrategyName };

interface CheckCost {
  key: string;
  label: string;
  micros: number | null;
  calls: number;
  note?: string;
}

/**
 * What one call of each context function costs the server, with the token of a real tenant set.
 * Two bench copies of the installed function (each with one change) show where its time goes.
 */
async function contextCheckCost(env: BenchEnv, admin: pg.Client, product: AppTenancy): Promise<CheckCost[]> {
  const t = env.dataset.tenants[1]!;
  const token = (await product.queryAs<{ tok: string }>(t.id, `SELECT current_setting('tenancy.context') AS tok`, [], { role: 'member', userId: t.userId }))
    .rows[0]!.tok;
  const n = env.config.mode === 'quick' ? 1000 : 4000;
  const source = (await admin.query<{ def: string }>(`SELECT pg_get_functiondef('tenancy.current_tenant_id()'::regprocedure) AS def`)).rows[0]!.def;
  const copies: { key: string; label: string; fn: string | null; note?: string }[] = [];
  const copy = (name: string) => source.replace('tenancy.current_tenant_id()', `bench.${name}()`);
  // Copy 1 (when the installed function has one): its token-format regex without bounded repetitions ({8}, {64}...).
  const regex = /tok !~ '[^']*'/;
  if (regex.test(source)) {
    await admin.query(copy('ctx_unbounded_regex').replace(regex, () => `tok !~ '^v1\\.[-0-9a-f]+\\.[-0-9a-f]+\\.[a-z][a-z0-9_]*\\.[0-9]+\\.[0-9a-f]+$'`));
    copies.push({
      key: 'unbounded-regex',
      label: 'bench copy of tenancy.current_tenant_id(), format regex without {n} repetitions',
      fn: 'bench.ctx_unbounded_regex()',
    });
  }
  // Copy 2: the same body as SECURITY INVOKER without its SET search_path (what the definer switch costs).
  if (/SECURITY DEFINER/.test(source)) {
    await admin.query(
      copy('ctx_invoker')
        .replace('SECURITY DEFINER', 'SECURITY INVOKER')
        .replace(/\n\s*SET search_path TO [^\n]*/, ''),
    );
    copies.push({ key: 'invoker', label: 'bench copy of tenancy.current_tenant_id(), SECURITY INVOKER, no SET search_path', fn: 'bench.ctx_invoker()' });
  }
  await admin.query(`CREATE OR REPLACE FUNCTION bench.ctx_setting_only() RETURNS uuid LANGUAGE plpgsql STABLE AS $f$
    BEGIN RETURN split_part(current_setting('tenancy.context', true), '.', 2)::uuid; END $f$`);
  const rows: { key: string; label: string; fn: string | null; note?: string; setup: string }[] = [
    { key: 'sql-setting', label: "current_setting('tenancy.context') in SQL, no function", fn: "current_setting('tenancy.context')", setup: 'context' },
    { key: 'plpgsql-setting', label: 'plpgsql function that only reads the setting (no check)', fn: 'bench.ctx_setting_only()', setup: 'context' },
    {
      key: 'installed',
      label: `tenancy.current_tenant_id() as installed (${[/SECURITY DEFINER/.test(source) ? 'SECURITY DEFINER' : 'SECURITY INVOKER', ...(regex.test(source) ? ['format regex'] : []), 'key read, HMAC, expiry'].join(', ')})`,
      fn: 'tenancy.current_tenant_id()',
      setup: 'context',
    },
    ...copies.map((c) => ({ ...c, setup: 'context' })),
    { key: 'seed-003', label: "seed 003's current_tenant_id() (plpgsql, EXCEPTION block)", fn: 'seeds.current_tenant_id()', setup: 'seed' },
    { key: 'seed-004', label: "seed 004's get_tenant_id() (SECURITY DEFINER, pid table read)", fn: 'seeds.get_tenant_id()', setup: 'seed' },
  ];
  const out: CheckCost[] = [];
  await admin.query('BEGIN');
  try {
    await admin.query(`SELECT set_config('tenancy.context', $1, true), set_config('app.current_tenant_id', $2, true)`, [token, t.id]);
    await admin.query('INSERT INTO seeds.pid_tenant_id VALUES (pg_backend_pid(), $1) ON CONFLICT (pid) DO UPDATE SET tenant_id = excluded.tenant_id', [t.id]);
    const measurable: typeof rows = [];
    for (const row of rows) {
      if (!row.fn) {
        out.push({ key: row.key, label: row.label, micros: null, calls: 0, note: row.note });
        continue;
      }
      const check = await admin.query<{ v: string | null }>(`SELECT (${row.fn})::text AS v`);
      if (check.rows[0]!.v === null || !check.rows[0]!.v.includes(t.id)) {
        out.push({ key: row.key, label: row.label, micros: null, calls: 0, note: 'returned no tenant: context not accepted' });
        continue;
      }
      measurable.push(row);
    }
    // Round-robin over the functions, best of 5: other processes on a shared machine only ever add time.
    const best = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      for (const row of measurable) {
        const { rows: plan } = await admin.query<{ 'QUERY PLAN': { 'Execution Time': number }[] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) SELECT ${row.fn} FROM generate_series(1, ${n})`,
        );
        const micros = (plan[0]!['QUERY PLAN'][0]!['Execution Time'] * 1000) / n;
        if (i > 0) best.set(row.key, Math.min(best.get(row.key) ?? Infinity, micros));
      }
    }
    for (const row of measurable) out.push({ key: row.key, label: row.label, micros: best.get(row.key)!, calls: n });
    out.sort((a, b) => rows.findIndex((r) => r.key === a.key) - rows.findIndex((r) => r.key === b.key));
  } finally {
    await admin.query('ROLLBACK');
  }
  return out;
}
