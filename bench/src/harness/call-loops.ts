import { performance } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import pg from 'pg';

/** Calls made and the wall time they took. */
export interface Rate {
  calls: number;
  ms: number;
  opsPerSec: number;
}

function rate(calls: number, ms: number): Rate {
  return { calls, ms, opsPerSec: (calls * 1000) / ms };
}

/** `callers` concurrent loops calling `call` until `ms` have passed. */
export async function forDuration(callers: number, ms: number, call: () => Promise<unknown>): Promise<Rate> {
  let calls = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await call();
        calls++;
      }
    }),
  );
  return rate(calls, performance.now() - started);
}

/** `callers` concurrent loops sharing `items`: each item is called once. */
export async function overAll<T>(callers: number, items: readonly T[], call: (item: T) => Promise<unknown>): Promise<Rate> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < items.length) await call(items[next++]!);
    }),
  );
  return rate(items.length, performance.now() - started);
}

/** The items in an order of a seeded shuffle (the same in every run). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    // xorshift32: deterministic, and enough to scatter keys over the catalog.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let collect: (() => void) | undefined;

/** The process's memory after a full collection: what it holds, not what it has not yet freed. */
export function memoryAfterGc(): { rss: number; heapUsed: number } {
  if (!collect) {
    // tsx starts node without --expose-gc; the flag set now gives a new context its gc().
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** A pg.Client class counting the catalog lookups its pools send (a request for a tenant its process had not cached). */
export function lookupCounter(): { lookups: () => number; Client: typeof pg.Client } {
  let lookups = 0;
  class CountingClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [first] = args;
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      if (text?.includes('resolve_tenant')) lookups++;
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  return { lookups: () => lookups, Client: CountingClient };
}
