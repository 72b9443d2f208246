import type { Sample } from './sampler';

/** The measured run (after its warm-up), in thirds: what the growth checks compare. */
export interface Thirds {
  first: Sample[];
  last: Sample[];
}

export function thirds(samples: Sample[]): Thirds {
  const measured = samples.filter((sample) => sample.phase === 'measured');
  const third = Math.floor(measured.length / 3);
  if (third < 2) throw new Error(`${samples.length} samples: too few to compare the first and last thirds of the run`);
  return { first: measured.slice(0, third), last: measured.slice(measured.length - third) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface RssGrowth {
  firstMedianMiB: number;
  lastMedianMiB: number;
  allowedMiB: number;
  passed: boolean;
}

/** The last third's median RSS may exceed the first third's by `share` of it or `slackMiB`, whichever is larger. */
export function rssGrowth(parts: Thirds, share: number, slackMiB: number): RssGrowth {
  const firstMedianMiB = median(parts.first.map((s) => s.rssMiB));
  const lastMedianMiB = median(parts.last.map((s) => s.rssMiB));
  const allowedMiB = Math.max(firstMedianMiB * share, slackMiB);
  return { firstMedianMiB, lastMedianMiB, allowedMiB, passed: lastMedianMiB - firstMedianMiB <= allowedMiB };
}

export interface ConnectionGrowth {
  firstMax: number;
  lastMax: number;
  max: number;
  /** `role/database` groups that went over their cap, with the most seen. */
  over: string[];
  passed: boolean;
}

/**
 * Connections: no `role/database` group ever over its cap (`capOf`), all of them together never over `total`, and the
 * last third's maximum at most `slack` above the first third's.
 */
export function connectionGrowth(samples: Sample[], parts: Thirds, capOf: (group: string) => number, total: number, slack: number): ConnectionGrowth {
  const firstMax = Math.max(...parts.first.map((s) => s.connections));
  const lastMax = Math.max(...parts.last.map((s) => s.connections));
  const max = Math.max(...samples.map((s) => s.connections));
  const most = new Map<string, number>();
  for (const sample of samples) for (const [group, count] of Object.entries(sample.byRole)) most.set(group, Math.max(most.get(group) ?? 0, count));
  const over = [...most].filter(([group, count]) => count > capOf(group)).map(([group, count]) => `${group} ${count} > ${capOf(group)}`);
  if (max > total) over.push(`all ${max} > ${total}`);
  return { firstMax, lastMax, max, over, passed: over.length === 0 && lastMax <= firstMax + slack };
}

export interface HeapGrowth {
  startMiB: number | undefined;
  endMiB: number | undefined;
  allowedMiB: number;
  passed: boolean;
}

/**
 * The live heap (after the latest full collection) at the end of the measured load at most `share` of it, or
 * `slackMiB`, above its value at the start. Without any full collection nothing was measured: that fails.
 */
export function heapGrowth(samples: Sample[], share: number, slackMiB: number): HeapGrowth {
  const measured = samples.filter((s) => s.phase === 'measured' && s.heapAfterFullGcMiB !== undefined);
  const startMiB = measured[0]?.heapAfterFullGcMiB;
  const endMiB = measured.at(-1)?.heapAfterFullGcMiB;
  const allowedMiB = Math.max((startMiB ?? 0) * share, slackMiB);
  return { startMiB, endMiB, allowedMiB, passed: startMiB !== undefined && endMiB !== undefined && endMiB - startMiB <= allowedMiB };
}
