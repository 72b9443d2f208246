import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AppTenancy } from '@repo/db/tenancy';
import { FileSecretsProvider, STRATEGIES, type MoveStep, type StrategyName } from '@repo/tenancy';
import { dataRows, runChild, type ChildReport, type ChildRequest } from '../harness/archive-children';
import { benchTenancy } from '../harness/dataset';
import { withClient } from '../harness/database';
import { fmt, fmtMs, type BenchEnv } from '../harness/env';
import { startWriter, verifyWrites } from '../harness/move-writer';
import { expectRows, fill, shape, type Shape } from '../harness/tenant-rows';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { prose } from '../harness/prose';
import { dropByPrefix, freshDatabase, type SectionUrls } from '../harness/section-database';

const text = prose('lifecycle');

/** Every database and role this section creates starts with it (cleanup drops by it); no other section uses it. */
const PREFIX = 'bench_life_';
/** A slug starts with a letter, so `<prefix>_db` can never be a tenant placement. */
const DB = `${PREFIX}_db`;
/** Every ordered pair, as one round trip rls → schema → database → rls → database → schema → rls. */
const PAIRS: readonly (readonly [StrategyName, StrategyName])[] = [
  ['rls', 'schema'],
  ['schema', 'database'],
  ['database', 'rls'],
  ['rls', 'database'],
  ['database', 'schema'],
  ['schema', 'rls'],
];
/** The control-plane user the rows and the writer's inserts are written for. */
const USER_ID = '00000000-0000-4000-8000-00000000b11f';
/** Writes the writer makes before the move starts (its pools open, the tenant in its catalog cache). */
const WARM_WRITES = 20;
/** The writer keeps writing this long after moveTenant returns, so the new placement takes writes too. */
const TAIL_MS = 300;
/** The writer's gap between writes: at most about 100 writes/s. */
const WRITE_GAP_MS = 10;
/** The library's default movePauseLimitMs: a request waits that long for a pause to end, then fails. */
const PAUSE_LIMIT_MS = 30_000;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`lifecycle: ${message}`);
}

interface Ctx {
  env: BenchEnv;
  urls: SectionUrls;
  dir: string;
  secretsFile: string;
  catalogCacheMs: number;
  /** The process that exports, imports and moves. */
  tenancy: AppTenancy;
}

function makeTenancy(ctx: Omit<Ctx, 'tenancy'>): AppTenancy {
  return benchTenancy(ctx.env.server, ctx.env.config, {
    adminUrl: ctx.urls.adminUrl,
    appUrl: ctx.urls.appUrl,
    namePrefix: PREFIX,
    secrets: new FileSecretsProvider(ctx.secretsFile),
    catalogCacheMs: ctx.catalogCacheMs,
    movePauseLimitMs: PAUSE_LIMIT_MS,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

// ---- export and import ---------------------------------------------------------------------

interface ArchiveRun {
  size: string;
  rows: number;
  strategy: StrategyName;
  importMs: number;
  exportMs: number[];
  bytes: number;
}

/** Per size: the rls source exported, imported into every strategy (timed), and each copy exported (timed). */
async function measureArchives(ctx: Ctx, sizes: { key: string; shape: Shape }[], exportReps: number): Promise<ArchiveRun[]> {
  const runs: ArchiveRun[] = [];
  for (const { key, shape: s } of sizes) {
    const source = path.join(ctx.dir, `${key}.tar.gz`);
    await ctx.tenancy.exportTenant(`${key}_src`, source);
    for (const strategy of STRATEGIES) {
      const slug = `${key}_${strategy}`;
      const started = performance.now();
      await ctx.tenancy.importTenant(source, { slug, strategy, id: 'new' });
      const importMs = performance.now() - started;
      await expectRows(ctx.tenancy, slug, s);
      const exportMs: number[] = [];
      let bytes = 0;
      for (let rep = 0; rep < exportReps; rep++) {
        const summary = await ctx.tenancy.exportTenant(slug, path.join(ctx.dir, `${slug}.tar.gz`));
        const rows = dataRows(summary.manifest.tables);
        check(rows === s.total, `the export of ${slug} holds ${rows} rows, expected ${s.total}`);
        exportMs.push(summary.ms);
        bytes = summary.bytes;
      }
      runs.push({ size: key, rows: s.total, strategy, importMs, exportMs, bytes });
      ctx.env.log(`    ${s.total} rows: import into ${strategy} ${fmtMs(importMs)} ms, export ${fmtMs(median(exportMs))} ms, ${fmt(bytes / 1024)} KiB`);
    }
  }
  return runs;
}

interface MemoryRun {
  size: string;
  rows: number;
  strategy: StrategyName;
  export: ChildReport;
  import: ChildReport;
}

/** Each export and import once more, in a child process of its own, for its peak resident set; and idle children for the baseline. */
async function measureMemory(ctx: Ctx, sizes: { key: string; shape: Shape }[]): Promise<{ idle: ChildReport[]; runs: MemoryRun[] }> {
  const base: Omit<ChildRequest, 'op'> = {
    adminUrl: ctx.urls.adminUrl,
    appUrl: ctx.urls.appUrl,
    contextSecret: ctx.urls.contextSecret,
    namePrefix: PREFIX,
    secretsFile: ctx.secretsFile,
    catalogCacheMs: ctx.catalogCacheMs,
  };
  const idle = [await runChild({ ...base, op: 'idle' })];
  const runs: MemoryRun[] = [];
  for (const { key, shape: s } of sizes) {
    for (const strategy of STRATEGIES) {
      const exported = await runChild({ ...base, op: 'export', slug: `${key}_${strategy}`, file: path.join(ctx.dir, `mem_${key}_${strategy}.tar.gz`) });
      const imported = await runChild({ ...base, op: 'import', slug: `mem_${key}_${strategy}`, file: path.join(ctx.dir, `${key}.tar.gz`), strategy });
      check(exported.rows === s.total && imported.rows === s.total, `children moved ${exported.rows} and ${imported.rows} rows, expected ${s.total}`);
      runs.push({ size: key, rows: s.total, strategy, export: exported, import: imported });
    }
  }
  idle.push(await runChild({ ...base, op: 'idle' }));
  ctx.env.log(`    ${runs.length * 2 + idle.length} child processes measured`);
  return { idle, runs };
}

// ---- moves ---------------------------------------------------------------------------------

interface MoveRun {
  from: StrategyName;
  to: StrategyName;
  rows: number;
  moveMs: number;
  /** From moveTenant's call to its 'pause' report: provisioning and the first copy. */
  copyMs: number;
  pauseMs: number;
  caughtUp: boolean;
  writes: number;
  /** Writes refused with an error (a request waits movePauseLimitMs for the pause to end, then fails). */
  refused: number;
  refusedMessage: string | null;
  writesDuringMove: number;
  longestWriteMs: number;
  p50WriteMs: number;
  /** The five slowest writes, ms after the move started. */
  slowest: { atMs: number; ms: number }[];
  steps: { step: MoveStep; atMs: number }[];
  /** The longest-running statements seen in the section's database during the move (sampled every 250 ms). */
  longestStatements: { query: string; seconds: number }[];
}

/** Samples pg_stat_activity of the section's database: the statements that ran longest while the move ran. */
function sampleStatements(adminUrl: string): { stop(): Promise<{ query: string; seconds: number }[]> } {
  const longest = new Map<string, number>();
  let stopping = false;
  const loop = withClient(adminUrl, async (c) => {
    while (!stopping) {
      const { rows } = await c.query<{ query: string; seconds: number }>(
        `SELECT left(query, 120) AS query, extract(epoch FROM now() - query_start)::float8 AS seconds FROM pg_stat_activity
          WHERE datname LIKE $1 AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [`${PREFIX.replaceAll('_', '\\_')}%`],
      );
      for (const r of rows) longest.set(r.query, Math.max(longest.get(r.query) ?? 0, r.seconds));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  return {
    async stop() {
      stopping = true;
      await loop;
      return [...longest]
        .map(([query, seconds]) => ({ query, seconds }))
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 3);
    },
  };
}

async function measureMoves(ctx: Ctx, slug: string, s: Shape): Promise<MoveRun[]> {
  const writerTenancy = makeTenancy(ctx);
  const runs: MoveRun[] = [];
  let written = 0;
  try {
    for (const [i, [from, to]] of PAIRS.entries()) {
      check((await ctx.tenancy.getTenant(slug)).strategy === from, `${slug} is not in ${from} before the move to ${to}`);
      const writer = startWriter(writerTenancy, slug, `mover_${i}`, USER_ID, WRITE_GAP_MS);
      await writer.warmed(WARM_WRITES);
      const steps: { step: MoveStep; atMs: number }[] = [];
      const sampler = sampleStatements(ctx.urls.adminUrl);
      const started = performance.now();
      const summary = await ctx.tenancy.moveTenant(slug, to, { onProgress: (p) => steps.push({ step: p.step, atMs: performance.now() - started }) });
      const moveMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
      const w = await writer.stop();
      const longestStatements = await sampler.stop();
      check(summary.from === from && summary.to === to && summary.tenant.strategy === to, `the move reported ${summary.from} → ${summary.to}`);
      await verifyWrites(ctx.tenancy, slug, w);
      written += w.acknowledged.length;
      await expectRows(ctx.tenancy, slug, s, written);
      const during = w.acknowledged.filter((x) => x.at >= started && x.at <= started + moveMs);
      const latencies = w.acknowledged.map((x) => x.ms);
      const slowest = [...w.acknowledged].sort((a, b) => b.ms - a.ms).slice(0, 5);
      const run: MoveRun = {
        from,
        to,
        rows: summary.rows,
        moveMs,
        copyMs: steps.find((x) => x.step === 'pause')?.atMs ?? Number.NaN,
        pauseMs: summary.pauseMs,
        caughtUp: summary.caughtUp,
        writes: w.acknowledged.length,
        refused: w.failed.length,
        refusedMessage: w.failed[0]?.message ?? null,
        writesDuringMove: during.length,
        longestWriteMs: Math.max(...latencies),
        p50WriteMs: median(latencies),
        slowest: slowest.map((x) => ({ atMs: x.at - started, ms: x.ms })),
        steps,
        longestStatements,
      };
      runs.push(run);
      ctx.env.log(
        `    ${from} → ${to}: ${fmt(moveMs / 1000, 2)} s, pause ${fmtMs(run.pauseMs)} ms, longest write ${fmtMs(run.longestWriteMs)} ms, ${run.writes} writes checked, ${run.refused} refused; longest statement: ${longestStatements[0] ? `${fmt(longestStatements[0].seconds, 1)} s ${longestStatements[0].query}` : '–'}`,
      );
    }
  } finally {
    await writerTenancy.close();
  }
  return runs;
}

// ---- tables --------------------------------------------------------------------------------

const MiB = (kib: number) => kib / 1024;

function movesTable(runs: MoveRun[], catalogCacheMs: number): Table {
  return {
    id: 'moves',
    title: `9.1 moveTenant() per strategy pair, ${fmt(runs[0]!.rows)} rows, a writer in another tenancy instance throughout`,
    columns: [
      'from → to',
      'rows',
      'move s',
      'copy s',
      'pause ms (library)',
      'catalogCacheMs',
      'longest write ms',
      'p50 write ms',
      'writes',
      'refused writes',
      'caught up',
    ],
    rows: runs.map((r) => [
      `${r.from} → ${r.to}`,
      fmt(r.rows),
      fmt(r.moveMs / 1000, 2),
      fmt(r.copyMs / 1000, 2),
      fmt(r.pauseMs),
      fmt(catalogCacheMs),
      fmt(r.longestWriteMs),
      fmtMs(r.p50WriteMs),
      fmt(r.writes),
      fmt(r.refused),
      r.caughtUp ? 'yes' : 'no',
    ]),
    notes: [text('moves-legend')],
    chart: groupedBarChart(
      'The write pause of a move, ms (lower is better)',
      'ms',
      runs.flatMap((r) => [
        { label: `${r.from} → ${r.to}`, series: 'pause (moveTenant reports)', value: r.pauseMs },
        { label: `${r.from} → ${r.to}`, series: "the writer's longest write", value: r.longestWriteMs },
      ]),
    ),
  };
}

function archivesTable(runs: ArchiveRun[]): Table {
  return {
    id: 'archives',
    title: '9.2 exportTenant() and importTenant() per strategy',
    columns: ['strategy', 'rows', 'export ms', 'archive KiB', 'bytes/row', 'export rows/s', 'import ms', 'import rows/s'],
    rows: runs.map((r) => {
      const exportMs = median(r.exportMs);
      return [
        r.strategy,
        fmt(r.rows),
        fmtMs(exportMs),
        fmt(r.bytes / 1024),
        fmt(r.bytes / r.rows, 1),
        fmt((r.rows * 1000) / exportMs),
        fmtMs(r.importMs),
        fmt((r.rows * 1000) / r.importMs),
      ];
    }),
    notes: [text('archives-legend')],
  };
}

function memoryTable(idle: ChildReport[], runs: MemoryRun[]): Table {
  const baseline = Math.min(...idle.map((c) => c.maxRssKiB));
  return {
    id: 'memory',
    title: '9.3 Peak memory of an export and an import, each in a process of its own',
    columns: ['strategy', 'rows', 'export: peak RSS MiB', 'export: over idle MiB', 'import: peak RSS MiB', 'import: over idle MiB', 'idle child MiB'],
    rows: runs.map((r) => [
      r.strategy,
      fmt(r.rows),
      fmt(MiB(r.export.maxRssKiB), 1),
      fmt(MiB(r.export.maxRssKiB - baseline), 1),
      fmt(MiB(r.import.maxRssKiB), 1),
      fmt(MiB(r.import.maxRssKiB - baseline), 1),
      fmt(MiB(baseline), 1),
    ]),
    notes: [text('memory-legend', { idle: idle.map((c) => fmt(MiB(c.maxRssKiB), 1)).join(' and ') })],
    chart: groupedBarChart(
      'Peak resident set over an idle child, MiB',
      'MiB',
      runs.flatMap((r) => [
        { label: `export from ${r.strategy}`, series: `${fmt(r.rows)} rows`, value: MiB(r.export.maxRssKiB - baseline) },
        { label: `import into ${r.strategy}`, series: `${fmt(r.rows)} rows`, value: MiB(r.import.maxRssKiB - baseline) },
      ]),
    ),
  };
}

export async function lifecycle(env: BenchEnv): Promise<SectionResult> {
  const quick = env.config.mode === 'quick';
  const big = shape(quick ? 10_000 : 100_000);
  const small = shape(big.total / 4);
  const sizes = [
    { key: 'big', shape: big },
    { key: 'small', shape: small },
  ];
  // The library's default in the full run; a fifth of it in --quick, so six moves do not wait 30 s.
  const catalogCacheMs = quick ? 1_000 : 5_000;
  const exportReps = quick ? 1 : 3;
  const sectionStart = performance.now();
  await dropByPrefix(env, PREFIX);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-lifecycle-'));
  let archives: ArchiveRun[];
  let memory: Awaited<ReturnType<typeof measureMemory>>;
  let moves: MoveRun[];
  let fillMs = 0;
  try {
    const urls = await freshDatabase(env, DB);
    const base = { env, urls, dir, secretsFile: path.join(dir, 'secrets.json'), catalogCacheMs };
    const ctx: Ctx = { ...base, tenancy: makeTenancy(base) };
    try {
      const started = performance.now();
      for (const { key, shape: s } of sizes) {
        await ctx.tenancy.createTenant({ slug: `${key}_src`, name: `Lifecycle bench ${key}`, strategy: 'rls' });
        await fill(ctx.tenancy, `${key}_src`, s, USER_ID);
        await expectRows(ctx.tenancy, `${key}_src`, s);
      }
      fillMs = performance.now() - started;
      env.log(`    tenants of ${fmt(big.total)} and ${fmt(small.total)} rows written in ${fmt(fillMs / 1000, 1)} s`);
      archives = await measureArchives(ctx, sizes, exportReps);
      memory = await measureMemory(ctx, sizes);
      moves = await measureMoves(ctx, 'big_src', big);
    } finally {
      await ctx.tenancy.close();
    }
  } finally {
    await dropByPrefix(env, PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
  const sectionSeconds = (performance.now() - sectionStart) / 1000;
  const baseline = Math.min(...memory.idle.map((c) => c.maxRssKiB));
  const extra = (key: string, op: 'export' | 'import') => Math.max(...memory.runs.filter((r) => r.size === key).map((r) => r[op].maxRssKiB - baseline));
  return {
    name: 'lifecycle',
    title: '9. Tenant lifecycle: moves, exports and imports',
    machine: env.machine,
    intro: [
      text('setup', {
        rows: fmt(big.total),
        projects: fmt(big.projects),
        tasks: fmt(big.tasks),
        comments: fmt(big.comments),
        smallRows: fmt(small.total),
        fillSeconds: fmt(fillMs / 1000, 1),
      }),
      text('moves', {
        catalogCacheMs: fmt(catalogCacheMs),
        quickNote: quick ? ' (this is a --quick run: the full run uses the default, 5,000 ms)' : ' (the default)',
        tailMs: TAIL_MS,
        gapMs: WRITE_GAP_MS,
        pauseLimitMs: fmt(PAUSE_LIMIT_MS),
      }),
      text('archives', { exportReps }),
      text('memory'),
    ],
    tables: [movesTable(moves, catalogCacheMs), archivesTable(archives), memoryTable(memory.idle, memory.runs)],
    notes: [
      text('findings', {
        maxPause: fmt(Math.max(...moves.map((r) => r.pauseMs))),
        maxWrite: fmt(Math.max(...moves.map((r) => r.longestWriteMs))),
        catalogCacheMs: fmt(catalogCacheMs),
        writes: fmt(moves.reduce((sum, r) => sum + r.writes, 0)),
        refused: fmt(moves.reduce((sum, r) => sum + r.refused, 0)),
        pauseLimitMs: fmt(PAUSE_LIMIT_MS),
        bigRows: fmt(big.total),
        smallRows: fmt(small.total),
        bigExport: fmt(MiB(extra('big', 'export')), 1),
        smallExport: fmt(MiB(extra('small', 'export')), 1),
        bigImport: fmt(MiB(extra('big', 'import')), 1),
        smallImport: fmt(MiB(extra('small', 'import')), 1),
        sectionSeconds: fmt(sectionSeconds, 0),
      }),
    ],
    data: { catalogCacheMs, big, small, fillMs, exportReps, archives, memory, moves, sectionSeconds },
  };
}
