import { performance } from 'node:perf_hooks';
import type { AppTenancy } from '@repo/db/tenancy';
import type { MoveSummary } from '@repo/tenancy';
import { benchTenancy, MemorySecrets } from '../harness/dataset';
import { withClient } from '../harness/database';
import { fmt, fmtMs, fmtRatio, type BenchEnv } from '../harness/env';
import { forDuration, lookupCounter, memoryAfterGc, overAll, shuffled, type Rate } from '../harness/call-loops';
import { startWriter, verifyWrites, type WriterResult } from '../harness/move-writer';
import { prose } from '../harness/prose';
import { groupedBarChart, type SectionResult, type Table } from '../harness/report';
import { startSecondServer, type SecondServer } from '../harness/second-server';
import { dropByPrefix, freshDatabase, type SectionUrls } from '../harness/section-database';
import { expectRows, fill, shape, type Shape } from '../harness/tenant-rows';

const text = prose('servers');

/** Every database and role this section creates starts with it (cleanup drops by it); no other section uses it. */
const PREFIX = 'bench_srv_';
/** A slug starts with a letter, so `<prefix>_db` can never be a tenant placement. */
const DB = `${PREFIX}_db`;
/** The second server's name in the deployment's `servers`. */
const B = 'b';
/** The control-plane user the rows and the writer's inserts are written for. */
const USER_ID = '00000000-0000-4000-8000-00000000b120';
const WARM_WRITES = 20;
const TAIL_MS = 300;
const WRITE_GAP_MS = 10;
const MiB = 1024 * 1024;

/** What the section's run sizes by mode; the tables say which. */
interface Sizes {
  /** rls tenants written straight into the catalog. */
  catalog: number;
  /** Of them, the tenants one process serves (each once, cold). */
  served: number;
  /** The bounded cache's catalogCacheSize (the library's default in the full run). */
  cacheSize: number;
  /** Tenants the hot round calls (all of them cached). */
  hot: number;
  /** Rows of the tenant moved between servers. */
  moveRows: number;
  /** catalogCacheMs of the moving and the writing process (the library's default in the full run). */
  catalogCacheMs: number;
  /** 11.2: rounds per case, and their length. */
  routePasses: number;
  routeRoundMs: number;
}

function sizesOf(quick: boolean): Sizes {
  return quick
    ? { catalog: 10_000, served: 3_000, cacheSize: 1_000, hot: 200, moveRows: 10_000, catalogCacheMs: 1_000, routePasses: 4, routeRoundMs: 400 }
    : { catalog: 100_000, served: 30_000, cacheSize: 10_000, hot: 1_000, moveRows: 100_000, catalogCacheMs: 5_000, routePasses: 6, routeRoundMs: 1_500 };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`servers: ${message}`);
}

interface Ctx {
  env: BenchEnv;
  urls: SectionUrls;
  b: SecondServer;
  secrets: MemorySecrets;
  sizes: Sizes;
}

function makeTenancy(ctx: Ctx, overrides: Parameters<typeof benchTenancy>[2] = {}): AppTenancy {
  return benchTenancy(ctx.env.server, ctx.env.config, {
    adminUrl: ctx.urls.adminUrl,
    appUrl: ctx.urls.appUrl,
    namePrefix: PREFIX,
    secrets: ctx.secrets,
    catalogCacheMs: ctx.sizes.catalogCacheMs,
    ...overrides,
  });
}

function withServerB(ctx: Ctx, overrides: Parameters<typeof benchTenancy>[2] = {}): AppTenancy {
  return makeTenancy(ctx, { servers: [{ name: B, adminUrl: ctx.b.adminUrl, appUrl: ctx.b.appUrl }], ...overrides });
}

// ---- 11.1 the catalog at scale -------------------------------------------------------------

interface CatalogRun {
  label: string;
  cacheSize: number;
  cold: Rate;
  coldLookups: number;
  hot: Rate | null;
  hotLookups: number | null;
  heapGrowth: number;
  heapAfter: number;
  rss: number;
}

/** rls tenants need no placement: their catalog rows are all there is to them. */
async function writeCatalog(ctx: Ctx, n: number): Promise<string[]> {
  const started = performance.now();
  const { rows } = await withClient(ctx.urls.adminUrl, (c) =>
    c.query<{ slug: string }>(
      `INSERT INTO tenancy.tenants (slug, name, strategy, status, schema_name)
       SELECT 'scale_' || lpad(g::text, 6, '0'), 'Scale tenant ' || g, 'rls', 'active', $2 FROM generate_series(1, $1::int) g
       RETURNING slug`,
      [n, 'public'],
    ),
  );
  ctx.env.log(`    ${fmt(n)} catalog rows written in ${fmt((performance.now() - started) / 1000, 1)} s`);
  return rows.map((r) => r.slug);
}

/**
 * `served` tenants of the catalog once each, in a shuffled order, through a process's request path (queryAs
 * 'select 1'): each a lookup, since none is cached yet (cold); then the most recently served ones again (hot).
 */
async function catalogRun(ctx: Ctx, label: string, slugs: string[], cacheSize: number, hot: boolean): Promise<CatalogRun> {
  const counter = lookupCounter();
  const tenancy = makeTenancy(ctx, { catalogCacheSize: cacheSize, clientClass: counter.Client });
  const { callers, roundMs } = ctx.env.config;
  try {
    // The pool's connections open before anything is measured.
    await Promise.all(Array.from({ length: ctx.env.config.poolSize }, () => tenancy.queryAs(slugs[0]!, 'select 1')));
    const before = memoryAfterGc();
    // The same tenants, in the same order, for every run: a seeded shuffle of the catalog, its first `served`.
    const order = shuffled(slugs, 11).slice(0, ctx.sizes.served);
    const lookupsBefore = counter.lookups();
    const cold = await overAll(callers, order, (slug) => tenancy.queryAs(slug, 'select 1'));
    const coldLookups = counter.lookups() - lookupsBefore;
    const after = memoryAfterGc();
    let hotRate: Rate | null = null;
    let hotLookups: number | null = null;
    if (hot) {
      const recent = order.slice(-ctx.sizes.hot);
      let i = 0;
      const start = counter.lookups();
      hotRate = await forDuration(callers, roundMs * 2, () => tenancy.queryAs(recent[i++ % recent.length]!, 'select 1'));
      hotLookups = counter.lookups() - start;
    }
    const run = {
      label,
      cacheSize,
      cold,
      coldLookups,
      hot: hotRate,
      hotLookups,
      heapGrowth: after.heapUsed - before.heapUsed,
      heapAfter: after.heapUsed,
      rss: after.rss,
    };
    ctx.env.log(
      `    ${label}: cold ${fmt(cold.opsPerSec)}/s (${fmt(coldLookups)} lookups), ${hotRate ? `hot ${fmt(hotRate.opsPerSec)}/s (${hotLookups} lookups), ` : ''}heap +${fmt(run.heapGrowth / MiB, 1)} MiB`,
    );
    return run;
  } finally {
    await tenancy.close();
  }
}

/** What one more cached tenant costs: the heap the larger cache holds beyond the bounded one, per entry more. */
function bytesPerEntry(runs: CatalogRun[], sizes: Sizes): number {
  const [bounded, whole] = runs;
  return (whole!.heapGrowth - bounded!.heapGrowth) / (Math.min(whole!.cacheSize, sizes.served) - Math.min(bounded!.cacheSize, sizes.served));
}

function catalogTable(runs: CatalogRun[], sizes: Sizes, quick: boolean): Table {
  const mode = quick
    ? `--quick: ${fmt(sizes.catalog)} tenants, ${fmt(sizes.served)} served, cache ${fmt(sizes.cacheSize)}; the full run: 100,000, 30,000 and 10,000`
    : 'full run; --quick: 10,000 tenants, 3,000 served, cache 1,000';
  return {
    id: 'catalog',
    title: `11.1 The catalog at ${fmt(sizes.catalog)} tenants: requests per second, lookups and memory of one process (${mode})`,
    columns: ['catalogCacheSize', 'tenants served', 'cold: calls/s', 'cold: lookups', 'hot: calls/s', 'hot: lookups', 'heap growth MiB', 'heap MiB', 'RSS MiB'],
    rows: runs.map((r) => [
      `${fmt(r.cacheSize)} (${r.label})`,
      fmt(sizes.served),
      fmt(r.cold.opsPerSec),
      fmt(r.coldLookups),
      r.hot ? fmt(r.hot.opsPerSec) : '–',
      r.hotLookups === null ? '–' : fmt(r.hotLookups),
      fmt(r.heapGrowth / MiB, 1),
      fmt(r.heapAfter / MiB, 1),
      fmt(r.rss / MiB, 1),
    ]),
    notes: [text('catalog-legend', { hot: fmt(sizes.hot), bytesPerEntry: fmt(bytesPerEntry(runs, sizes)) })],
  };
}

// ---- 11.2 the cost of routing ---------------------------------------------------------------

interface RouteCase {
  key: string;
  label: string;
  tenancy: AppTenancy;
  slug: string;
}

interface RouteResult {
  key: string;
  label: string;
  rounds: Rate[];
  /** Per pass, ops/s over the single-server baseline's in the same pass. */
  ratios: number[];
}

const ROUTE_QUERY = 'select id, name from projects order by created_at desc limit 10';

async function measureRouting(ctx: Ctx, cases: RouteCase[]): Promise<RouteResult[]> {
  const { callers, warmupMs } = ctx.env.config;
  const { routePasses: passes, routeRoundMs: roundMs } = ctx.sizes;
  const call = (c: RouteCase) => () => c.tenancy.withTenant(c.slug, (tx) => tx.query(ROUTE_QUERY), { role: 'viewer', userId: USER_ID });
  for (const c of cases) await forDuration(callers, warmupMs, call(c));
  const rounds = new Map(cases.map((c) => [c.key, [] as Rate[]]));
  for (let pass = 0; pass < passes; pass++) {
    // A B C C B A ...: machine noise spreads over every case.
    for (const c of pass % 2 === 0 ? cases : [...cases].reverse()) rounds.get(c.key)!.push(await forDuration(callers, roundMs, call(c)));
  }
  const base = rounds.get(cases[0]!.key)!;
  return cases.map((c) => {
    const own = rounds.get(c.key)!;
    return { key: c.key, label: c.label, rounds: own, ratios: own.map((r, i) => r.opsPerSec / base[i]!.opsPerSec) };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function routingTable(results: RouteResult[], env: BenchEnv, sizes: Sizes): Table {
  const { callers, poolSize } = env.config;
  const roundMs = sizes.routeRoundMs;
  return {
    id: 'routing',
    title: `11.2 withTenant on a schema tenant: one server against a deployment with servers, ${callers} callers, pool ${poolSize}, ${sizes.routePasses} rounds of ${fmt(roundMs)} ms per case (${env.config.mode === 'quick' ? '--quick; the full run: 6 of 1,500' : 'full run; --quick: 4 of 400'})`,
    columns: ['deployment; tenant', 'rounds', 'calls', 'median ops/s', 'ratio to one server (min–max)'],
    rows: results.map((r) => {
      const sorted = r.rounds.map((x) => x.opsPerSec).sort((a, b) => a - b);
      return [
        r.label,
        r.rounds.length,
        fmt(r.rounds.reduce((a, x) => a + x.calls, 0)),
        fmt(sorted[Math.floor((sorted.length - 1) / 2)]!),
        fmtRatio(mean(r.ratios), Math.min(...r.ratios), Math.max(...r.ratios)),
      ];
    }),
    notes: [text('routing-legend', { query: ROUTE_QUERY })],
    chart: groupedBarChart(
      'withTenant ops/s as a ratio to one server (higher is better)',
      'ratio',
      results.map((r) => ({ label: r.label, series: 'ratio', value: mean(r.ratios) })),
    ),
  };
}

// ---- 11.3 a move between servers -----------------------------------------------------------

interface MoveRun {
  fromServer: string;
  toServer: string;
  rows: number;
  moveMs: number;
  pauseMs: number;
  caughtUp: boolean;
  writes: number;
  refused: number;
  longestWriteMs: number;
}

async function measureMoves(ctx: Ctx, tenancy: AppTenancy, slug: string, s: Shape): Promise<MoveRun[]> {
  // Another process of the app: its own pools and catalog cache.
  const writerTenancy = withServerB(ctx);
  const runs: MoveRun[] = [];
  let written = 0;
  try {
    for (const [i, to] of [B, 'primary'].entries()) {
      const writer = startWriter(writerTenancy, slug, `srv_mover_${i}`, USER_ID, WRITE_GAP_MS);
      let moved: { summary: MoveSummary; moveMs: number };
      let w: WriterResult;
      try {
        await writer.warmed(WARM_WRITES);
        const started = performance.now();
        const summary = await tenancy.moveTenant(slug, { server: to });
        moved = { summary, moveMs: performance.now() - started };
        await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
      } finally {
        // Also when the move failed: a writer left running would keep the process from ever exiting.
        w = await writer.stop();
      }
      const { summary, moveMs } = moved;
      check(summary.toServer === to && summary.tenant.server === to, `the move reported ${summary.fromServer} → ${summary.toServer}`);
      await verifyWrites(tenancy, slug, w);
      written += w.acknowledged.length;
      await expectRows(tenancy, slug, s, written);
      const run: MoveRun = {
        fromServer: summary.fromServer,
        toServer: summary.toServer,
        rows: summary.rows,
        moveMs,
        pauseMs: summary.pauseMs,
        caughtUp: summary.caughtUp,
        writes: w.acknowledged.length,
        refused: w.failed.length,
        longestWriteMs: Math.max(...w.acknowledged.map((x) => x.ms)),
      };
      runs.push(run);
      ctx.env.log(
        `    ${run.fromServer} → ${run.toServer}: ${fmt(moveMs / 1000, 2)} s, pause ${fmtMs(run.pauseMs)} ms, ${run.writes} writes checked, ${run.refused} refused`,
      );
    }
  } finally {
    await writerTenancy.close();
  }
  return runs;
}

function movesTable(runs: MoveRun[], sizes: Sizes, quick: boolean): Table {
  const mode = quick
    ? `--quick: ${fmt(sizes.moveRows)} rows, catalogCacheMs ${fmt(sizes.catalogCacheMs)}; the full run: 100,000 and 5,000`
    : 'full run; --quick: 10,000 rows';
  return {
    id: 'moves',
    title: `11.3 moveTenant(slug, { server }) of a schema tenant: ${fmt(sizes.moveRows)} rows of projects, tasks and comments (and the activity log their triggers write), a writer in another process throughout (${mode})`,
    columns: ['from → to', 'rows', 'move s', 'pause ms (library)', 'catalogCacheMs', 'longest write ms', 'writes', 'refused writes', 'caught up'],
    rows: runs.map((r) => [
      `${r.fromServer} → ${r.toServer}`,
      fmt(r.rows),
      fmt(r.moveMs / 1000, 2),
      fmt(r.pauseMs),
      fmt(sizes.catalogCacheMs),
      fmt(r.longestWriteMs),
      fmt(r.writes),
      fmt(r.refused),
      r.caughtUp ? 'yes' : 'no',
    ]),
    notes: [text('moves-legend', { gapMs: WRITE_GAP_MS, tailMs: TAIL_MS })],
  };
}

// ---- the section ----------------------------------------------------------------------------

async function measure(ctx: Ctx) {
  const { sizes } = ctx;
  const primary = withServerB(ctx);
  try {
    // The second server's database gets the tenancy objects and its templates.
    await primary.setup();
    await primary.migrate();
    const slugs = await writeCatalog(ctx, sizes.catalog);
    const catalog = [await catalogRun(ctx, 'bounded', slugs, sizes.cacheSize, true), await catalogRun(ctx, 'every tenant served', slugs, sizes.served, false)];
    check(
      catalog.every((run) => run.coldLookups >= sizes.served) && catalog[0]!.hotLookups === 0,
      `bounded cache: ${catalog[0]!.coldLookups} cold and ${catalog[0]!.hotLookups} hot lookups`,
    );

    const routeRows = shape(1_000);
    for (const [slug, server] of [
      ['route_p', 'primary'],
      ['route_b', B],
    ] as const) {
      await primary.createTenant({ slug, name: slug, strategy: 'schema', server });
      await fill(primary, slug, routeRows, USER_ID);
      check((await primary.getTenant(slug)).server === server, `${slug} is not on ${server}`);
    }
    // Both made now, with nothing done on them yet: neither brings pools or caches from the setup above.
    const single = makeTenancy(ctx);
    const routed = withServerB(ctx);
    let routing: RouteResult[];
    try {
      routing = await measureRouting(ctx, [
        { key: 'single', label: 'one server; tenant on it', tenancy: single, slug: 'route_p' },
        { key: 'servers-primary', label: `servers: [${B}]; tenant on the primary`, tenancy: routed, slug: 'route_p' },
        { key: 'servers-b', label: `servers: [${B}]; tenant on ${B} (another cluster)`, tenancy: routed, slug: 'route_b' },
      ]);
    } finally {
      await Promise.all([single.close(), routed.close()]);
    }
    ctx.env.log(`    routing: ${routing.map((r) => `${r.key} ${mean(r.ratios).toFixed(3)}x`).join(', ')}`);

    const s = shape(sizes.moveRows);
    await primary.createTenant({ slug: 'mover', name: 'Mover', strategy: 'schema', server: 'primary' });
    const filled = performance.now();
    await fill(primary, 'mover', s, USER_ID);
    ctx.env.log(`    mover: ${fmt(s.total)} rows written in ${fmt((performance.now() - filled) / 1000, 1)} s`);
    const moves = await measureMoves(ctx, primary, 'mover', s);
    return { catalog, routing, moves };
  } finally {
    await primary.close();
  }
}

export async function servers(env: BenchEnv): Promise<SectionResult> {
  const quick = env.config.mode === 'quick';
  const sizes = sizesOf(quick);
  const started = performance.now();
  await dropByPrefix(env, PREFIX);
  const b = await startSecondServer(DB);
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    const urls = await freshDatabase(env, DB);
    result = await measure({ env, urls, b, secrets: new MemorySecrets(), sizes });
  } finally {
    await b.close();
    await dropByPrefix(env, PREFIX);
  }
  const { catalog, routing, moves } = result;
  const ratio = (key: string) => mean(routing.find((r) => r.key === key)!.ratios);
  const bounded = catalog[0]!;
  const whole = catalog[1]!;
  return {
    name: 'servers',
    title: '11. Servers: the catalog at scale, the cost of routing, moves between servers',
    machine: env.machine,
    intro: [text('intro', { second: b.version })],
    tables: [catalogTable(catalog, sizes, quick), routingTable(routing, env, sizes), movesTable(moves, sizes, quick)],
    notes: [
      text('findings', {
        tenants: fmt(sizes.catalog),
        served: fmt(sizes.served),
        bytesPerEntry: fmt(bytesPerEntry(catalog, sizes)),
        projectedMiB: fmt((bytesPerEntry(catalog, sizes) * 100_000) / MiB, 0),
        coldPerSec: fmt(bounded.cold.opsPerSec),
        hotPerSec: fmt(bounded.hot!.opsPerSec),
        boundedMiB: fmt(bounded.heapGrowth / MiB, 1),
        wholeMiB: fmt(whole.heapGrowth / MiB, 1),
        cacheSize: fmt(sizes.cacheSize),
        primaryRatio: ratio('servers-primary').toFixed(2),
        bRatio: ratio('servers-b').toFixed(2),
        maxPause: fmt(Math.max(...moves.map((m) => m.pauseMs))),
        moveS: fmt(Math.max(...moves.map((m) => m.moveMs)) / 1000, 1),
        refused: fmt(moves.reduce((a, m) => a + m.refused, 0)),
        sectionS: fmt((performance.now() - started) / 1000, 0),
      }),
    ],
    data: { sizes, catalog, routing, moves },
  };
}
