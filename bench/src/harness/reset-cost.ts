import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { LIBRARY_RESET, TWIN_CONNECTION, wireTwinApproach } from '../peers/wire-twin';
import { productUrls } from './database';
import type { BenchEnv } from './env';
import { prng } from './ids';
import { ratioChart, type Cell, type RatioBar, type Table } from './report';
import { WORKLOADS, type WorkloadKey } from './workloads';
import { prose } from './prose';

const text = prose('reset-cost');

/** The limit: the session reset may lower no queryAs or withTenant ratio by more than this. */
export const HYGIENE_LIMIT = 0.03;

export interface ResetCost {
  call: 'queryAs' | 'withTenant ×3';
  /** Median µs of one call of the twin without the reset, and with it. */
  withoutUs: number;
  withUs: number;
  /** withUs - withoutUs. */
  costUs: number;
  calls: number;
}

/** A product row of section 1, as the reset table needs it. */
export interface ProductRow {
  workload: WorkloadKey;
  group: string;
  key: string;
  ratio: number;
  opsPerSec: number;
  /** CPU µs of one call, Node and the server's backends (NaN when not measured). */
  cpuUsPerCall: number;
}

export interface Hygiene {
  workload: string;
  call: string;
  costUs: number;
  /** What one product call costs: its CPU µs where measured, else 1e6/ops (see hygieneOf). */
  callUs: number;
  measuredCpu: boolean;
  /** Cores the product's rounds kept busy (CPU per call × ops): the machine's own count means saturated. */
  coresBusy: number;
  /** The reset's share of one product call, at most. */
  share: number;
  before: number;
  after: number;
  drop: number;
}

const SHAPES = [
  { call: 'queryAs', statements: 1, product: 'queryAs-rls', group: 'all' },
  { call: 'withTenant ×3', statements: 3, product: 'withTenant-rls-3', group: 'three' },
] as const;

/**
 * The two twins (bench/src/peers/wire-twin.ts), one connection, called in turn: without, with, with,
 * without, ... Whatever else the machine does lands on both, and the difference of the medians is
 * the reset's own time, a few µs that rounds of throughput at saturation cannot resolve on a
 * shared machine (their spread is wider than the whole difference).
 */
export async function measureResetCost(env: BenchEnv): Promise<ResetCost[]> {
  const urls = productUrls(env.server);
  const pool = new pg.Pool({ connectionString: urls.appUrl, ...TWIN_CONNECTION, max: 1 });
  const point = WORKLOADS.find((w) => w.key === 'point')!;
  const rnd = prng(7);
  const tenants = env.dataset.tenants;
  const calls = env.config.mode === 'quick' ? 1_000 : 5_000;
  const warmup = Math.ceil(calls / 5);
  try {
    const out: ResetCost[] = [];
    for (const shape of SHAPES) {
      const sides = [
        {
          key: 'without' as const,
          approach: wireTwinApproach({ pool, contextSecret: urls.contextSecret, statements: shape.statements, reset: null }),
          times: [] as number[],
        },
        {
          key: 'with' as const,
          approach: wireTwinApproach({ pool, contextSecret: urls.contextSecret, statements: shape.statements, reset: LIBRARY_RESET }),
          times: [] as number[],
        },
      ];
      for (let i = 0; i < warmup + calls; i++) {
        const t = tenants[Math.floor(rnd() * tenants.length)]!;
        const statements = Array.from({ length: shape.statements }, () => point.statement(t, rnd));
        for (const side of i % 2 ? [...sides].reverse() : sides) {
          const started = performance.now();
          const rows = await side.approach.call(t, statements);
          const elapsed = performance.now() - started;
          const wrong = statements.map((s, n) => s.check(rows[n] ?? [])).find((why) => why !== undefined);
          if (wrong) throw new Error(`${side.approach.label}: ${wrong}`);
          if (i >= warmup) side.times.push(elapsed * 1000);
        }
      }
      const [without, withReset] = sides.map((side) => median(side.times)) as [number, number];
      out.push({ call: shape.call, withoutUs: without, withUs: withReset, costUs: withReset - without, calls });
    }
    return out;
  } finally {
    await pool.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The product's ratio without the reset. At saturation throughput is the machine's CPU divided by
 * the CPU one call costs, measured per round (Node and the server's backends); the reset's time on
 * one connection, all of it CPU on one side or the other (no extra round trip, no I/O), bounds its
 * CPU. So share ≤ costUs / cpuUsPerCall, and without the reset the product's ops would be at most
 * 1 / (1 − share) times what they are. Where CPU was not measured (a server elsewhere), the bound
 * is looser: the limiting resource has at least one core, so a call uses at least 1e6/ops µs of it.
 */
export function hygieneOf(rows: readonly ProductRow[], costs: readonly ResetCost[]): Hygiene[] {
  const out: Hygiene[] = [];
  for (const workload of WORKLOADS) {
    for (const shape of SHAPES) {
      const product = rows.find((r) => r.workload === workload.key && r.group === shape.group && r.key === shape.product);
      const cost = costs.find((c) => c.call === shape.call);
      if (!product || !cost) continue;
      const measuredCpu = Number.isFinite(product.cpuUsPerCall) && product.cpuUsPerCall > 0;
      const callUs = measuredCpu ? product.cpuUsPerCall : 1e6 / product.opsPerSec;
      const share = Math.min(0.99, Math.max(0, cost.costUs) / callUs);
      const before = product.ratio / (1 - share);
      const coresBusy = (callUs * product.opsPerSec) / 1e6;
      out.push({
        workload: workload.label,
        call: shape.call,
        costUs: cost.costUs,
        callUs,
        measuredCpu,
        coresBusy,
        share,
        before,
        after: product.ratio,
        drop: before - product.ratio,
      });
    }
  }
  return out;
}

export function hygieneTable(hygiene: readonly Hygiene[], costs: readonly ResetCost[]): Table {
  const rows: Cell[][] = hygiene.map((h) => [
    h.workload,
    h.call,
    h.costUs.toFixed(1),
    h.measuredCpu ? `${h.callUs.toFixed(0)} (${h.coresBusy.toFixed(2)} cores busy)` : `${h.callUs.toFixed(0)} (1e6/ops)`,
    `${(h.share * 100).toFixed(1)}%`,
    `${h.before.toFixed(2)}x`,
    `${h.after.toFixed(2)}x`,
    h.drop.toFixed(3),
    `≤ ${HYGIENE_LIMIT.toFixed(2)}: **${h.drop <= HYGIENE_LIMIT ? 'met' : 'MISSED'}**`,
  ]);
  const bars: RatioBar[] = hygiene.map((h) => ({
    label: `${h.call}, ${h.workload}`,
    ratio: h.drop,
    min: h.drop,
    max: h.drop,
    kind: 'this project',
    goal: HYGIENE_LIMIT,
  }));
  const measured = costs
    .map(
      (c) =>
        `${c.call}: ${c.withoutUs.toFixed(1)} µs without the reset, ${c.withUs.toFixed(1)} µs with it (medians of ${c.calls.toLocaleString('en-US')} calls each)`,
    )
    .join('; ');
  return {
    id: 'hygiene',
    title: '1.7 What the session reset costs (ratio before and after it)',
    columns: [
      'workload',
      'call',
      'reset, µs per call',
      'CPU µs of a product call',
      "the reset's share (at most)",
      'product ratio without the reset',
      'product ratio (above)',
      'lowered by (at most)',
      'limit',
    ],
    rows,
    notes: [text('what', { reset: LIBRARY_RESET.text, measured }), text('without-reset')],
    chart: ratioChart('Ratio lost to the session reset, at most (limit: orange tick)', bars),
  };
}
