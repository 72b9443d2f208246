import { Session } from 'node:inspector/promises';

/**
 * Where this process spends its CPU during some calls, by module: V8's sampling profiler (the one
 * behind `node --cpu-prof`) over the calls, each sample's self time put in a bucket by the script it
 * ran in. Idle samples (waiting for the server) are left out, so the buckets share out the CPU the
 * calls cost, as process.cpuUsage() measured it over the same calls.
 */

export interface ProfileShare {
  bucket: string;
  /** µs of this process's CPU per call. */
  us: number;
}

export interface NodeProfile {
  calls: number;
  cpuUsPerCall: number;
  buckets: ProfileShare[];
  /** The tenancy library's own files, the dearest first. */
  libraryFiles: ProfileShare[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

const BUCKETS: { bucket: string; test: (url: string, fn: string) => boolean }[] = [
  { bucket: 'garbage collector', test: (_u, fn) => fn === '(garbage collector)' },
  { bucket: '@repo/tenancy (the library)', test: (u) => u.includes('/packages/tenancy/') },
  { bucket: '@repo/db', test: (u) => u.includes('/packages/db/') },
  { bucket: 'pg-protocol (messages, parsing)', test: (u) => u.includes('/node_modules/pg-protocol/') },
  { bucket: 'pg and pg-pool (client, pool, types)', test: (u) => /\/node_modules\/(pg|pg-pool|pg-types|postgres-[a-z]+)\//.test(u) },
  { bucket: 'drizzle-orm', test: (u) => u.includes('/node_modules/drizzle-orm/') },
  { bucket: 'the bench itself (statements, checks)', test: (u) => u.includes('/bench/') },
  { bucket: 'Node internals (net, streams, buffers, timers)', test: (u) => u.startsWith('node:') || u === '' },
];
const IDLE = new Set(['(idle)', '(program)']);

function bucketOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  return BUCKETS.find((b) => b.test(url, functionName))?.bucket ?? 'other modules';
}

/** Runs `run` (which makes `calls` calls) under the profiler. */
export async function profileCalls(calls: number, run: () => Promise<void>): Promise<NodeProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } };
    const cpuUsPerCall = (used.user + used.system) / calls;
    const busy = profile.nodes.filter((n) => !IDLE.has(n.callFrame.functionName));
    const total = busy.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
    const share = (nodes: ProfileNode[], key: (n: ProfileNode) => string): ProfileShare[] => {
      const hits = new Map<string, number>();
      for (const n of nodes) hits.set(key(n), (hits.get(key(n)) ?? 0) + (n.hitCount ?? 0));
      return [...hits]
        .map(([bucket, h]) => ({ bucket, us: (h / total) * cpuUsPerCall }))
        .filter((s) => s.us > 0)
        .sort((a, b) => b.us - a.us);
    };
    const library = busy.filter((n) => n.callFrame.url.includes('/packages/tenancy/'));
    return {
      calls,
      cpuUsPerCall,
      buckets: share(busy, bucketOf),
      libraryFiles: share(library, (n) => n.callFrame.url.replace(/^.*\/packages\/tenancy\/src\//, '')),
    };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
