import { performance } from 'node:perf_hooks';
import type { Approach } from './approaches';
import type { TenantRef } from './tenant-ref';
import { prng } from './ids';
import type { Workload } from './workloads';

export interface RunSettings {
  callers: number;
  roundMs: number;
  warmupMs: number;
  passes: number;
  /** Server sessions opened so far (pg_stat_database.sessions): new connections per round are reported. */
  sessions?: () => Promise<number>;
  /** CPU µs used so far by this process and the server's backends: CPU per call is reported. */
  cpu?: () => Promise<number>;
}

export interface Round {
  ok: number;
  errors: number;
  elapsedMs: number;
  opsPerSec: number;
  /** Latency of each successful call, ms. */
  latencies: number[];
  errorSamples: string[];
  /** Server connections opened during the round (when a sessions probe is given). */
  connectionsOpened: number;
  /** CPU µs used during the round (when a cpu probe is given). */
  cpuUs: number;
}

export interface Side {
  approach: Approach;
  /** Tenants the calls pick from (uniformly). A peer and its baseline get rank-matched lists. */
  tenants: TenantRef[];
}

export interface Stats {
  key: string;
  label: string;
  detail: string;
  statements: number;
  rounds: number;
  calls: number;
  errors: number;
  errorSamples: string[];
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean of the per-round ratios to the adjacent baseline rounds; 1 for the baseline itself. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  ratios: number[];
  /** New server connections per 1,000 calls: a pool that reconnects pays for authentication and a backend start. */
  connectionsPer1k: number;
  /** CPU µs per successful call, this process and the server's backends together (NaN without a cpu probe). */
  cpuUsPerCall: number;
}

let roundCounter = 0;

/**
 * One timed round: `callers` loops share the approach's pool and call until the deadline; calls
 * in flight finish and count (their time is in elapsedMs). Every call's rows are checked: a wrong
 * or missing answer is an error, never a fast success.
 */
export async function runRound(
  side: Side,
  workload: Workload,
  callers: number,
  durationMs: number,
  sessions?: () => Promise<number>,
  cpu?: () => Promise<number>,
): Promise<Round> {
  const seed = ++roundCounter;
  const sessionsBefore = sessions ? await sessions() : 0;
  const cpuBefore = cpu ? await cpu() : 0;
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let ok = 0;
  let errors = 0;
  const fail = (message: string) => {
    errors++;
    if (errorSamples.length < 3 && !errorSamples.includes(message)) errorSamples.push(message);
  };
  const { approach, tenants } = side;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      const rnd = prng(seed * 7919 + caller);
      while (performance.now() < deadline) {
        const tenant = tenants[Math.floor(rnd() * tenants.length)]!;
        const statements = Array.from({ length: approach.statements }, () => workload.statement(tenant, rnd));
        const t0 = performance.now();
        let results: Record<string, unknown>[][];
        try {
          results = await approach.call(tenant, statements);
        } catch (error) {
          fail(error instanceof Error ? error.message : String(error));
          continue;
        }
        const t1 = performance.now();
        let problem: string | undefined = results.length !== statements.length ? `${results.length} results for ${statements.length} statements` : undefined;
        for (let i = 0; !problem && i < statements.length; i++) problem = statements[i]!.check(results[i]!);
        if (problem) {
          fail(problem);
          continue;
        }
        ok++;
        latencies.push(t1 - t0);
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  const cpuUs = cpu ? (await cpu()) - cpuBefore : NaN;
  const connectionsOpened = sessions ? (await sessions()) - sessionsBefore : 0;
  return { ok, errors, elapsedMs, opsPerSec: (ok * 1000) / elapsedMs, latencies, errorSamples, connectionsOpened, cpuUs };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarize(approach: Approach, rounds: Round[], ratios: number[]): Stats {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const errorSamples = [...new Set(rounds.flatMap((r) => r.errorSamples))].slice(0, 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    key: approach.key,
    label: approach.label,
    detail: approach.detail,
    statements: approach.statements,
    rounds: rounds.length,
    calls: rounds.reduce((a, r) => a + r.ok + r.errors, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    errorSamples,
    opsPerSec: mean(rounds.map((r) => r.opsPerSec)),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    ratio: mean(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    ratios,
    connectionsPer1k:
      (rounds.reduce((a, r) => a + r.connectionsOpened, 0) * 1000) /
      Math.max(
        1,
        rounds.reduce((a, r) => a + r.ok + r.errors, 0),
      ),
    cpuUsPerCall:
      rounds.reduce((a, r) => a + r.cpuUs, 0) /
      Math.max(
        1,
        rounds.reduce((a, r) => a + r.ok, 0),
      ),
  };
}

/**
 * Runs the baseline and each peer in alternated rounds, A B B A, where the A between two peers is
 * shared: A B1 B1 A B2 B2 A ... Each B round is divided by the A round next to it, so a drift of the
 * shared machine moves both sides of a ratio. With several passes the chain is run again, and each
 * approach's rounds are spread over the run.
 */
export async function runChain(
  baseline: Side,
  peers: Side[],
  workload: Workload,
  settings: RunSettings,
  onPeer: (stats: Stats) => void = () => undefined,
): Promise<{ baseline: Stats; peers: Stats[] }> {
  const baselineRounds: Round[] = [];
  const peerRounds = peers.map(() => [] as Round[]);
  const peerRatios = peers.map(() => [] as number[]);
  const round = (side: Side) => runRound(side, workload, settings.callers, settings.roundMs, settings.sessions, settings.cpu);
  await runRound(baseline, workload, settings.callers, settings.warmupMs);
  for (let pass = 0; pass < settings.passes; pass++) {
    let before = await round(baseline);
    baselineRounds.push(before);
    for (const [i, peer] of peers.entries()) {
      if (pass === 0) await runRound(peer, workload, settings.callers, settings.warmupMs);
      const b1 = await round(peer);
      const b2 = await round(peer);
      const after = await round(baseline);
      baselineRounds.push(after);
      peerRounds[i]!.push(b1, b2);
      peerRatios[i]!.push(b1.opsPerSec / before.opsPerSec, b2.opsPerSec / after.opsPerSec);
      before = after;
      if (pass === settings.passes - 1) onPeer(summarize(peer.approach, peerRounds[i]!, peerRatios[i]!));
    }
  }
  const baselineMean = baselineRounds.reduce((a, r) => a + r.opsPerSec, 0) / baselineRounds.length;
  return {
    baseline: summarize(
      baseline.approach,
      baselineRounds,
      baselineRounds.map((r) => r.opsPerSec / baselineMean),
    ),
    peers: peers.map((peer, i) => summarize(peer.approach, peerRounds[i]!, peerRatios[i]!)),
  };
}
