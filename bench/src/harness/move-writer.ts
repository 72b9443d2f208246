import { performance } from 'node:perf_hooks';
import type { AppTenancy } from '@repo/db/tenancy';

export interface Write {
  seq: number;
  /** performance.now() when the call started, and its wall time. */
  at: number;
  ms: number;
}

export interface WriterResult {
  tag: string;
  acknowledged: Write[];
  failed: { seq: number; at: number; ms: number; message: string }[];
}

export interface Writer {
  /** Resolves once the writer has made `n` writes (pools open, catalog entry cached). */
  warmed(n: number): Promise<void>;
  stop(): Promise<WriterResult>;
}

/** The project name a write leaves: `<tag> <seq>`, so every acknowledged write can be looked for afterwards. */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

export function writeName(tag: string, seq: number): string {
  return `${tag} ${seq}`;
}

/**
 * A request loop as another process would run it: one insert per transaction through withTenant
 * (role admin), one after the other with `gapMs` between them (a busy tenant, not a flood that
 * would grow it several times over during a long move), on `tenancy` (its own pools and catalog
 * cache), until stopped.
 */
export function startWriter(tenancy: AppTenancy, slug: string, tag: string, userId: string, gapMs: number): Writer {
  const result: WriterResult = { tag, acknowledged: [], failed: [] };
  let stopping = false;
  let seq = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const loop = (async () => {
    while (!stopping) {
      const n = seq++;
      const at = performance.now();
      try {
        await tenancy.withTenant(
          slug,
          (tx) => tx.query('insert into projects (name, description) values ($1, $2)', [writeName(tag, n), 'written during a move']),
          {
            role: 'admin',
            userId,
          },
        );
        result.acknowledged.push({ seq: n, at, ms: performance.now() - at });
      } catch (error) {
        result.failed.push({ seq: n, at, ms: performance.now() - at, message: error instanceof Error ? error.message : String(error) });
      }
      // Failures count too: a writer that cannot write must not hang the section (its failures fail it later).
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      for (const w of waiters.filter((w) => result.acknowledged.length + result.failed.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  return {
    warmed: (n) =>
      new Promise<void>((resolve) => {
        if (result.acknowledged.length + result.failed.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    async stop() {
      stopping = true;
      await loop;
      return result;
    },
  };
}

/**
 * Every acknowledged write is in the tenant exactly once, no refused write is there, and nothing
 * else of the writer's is. Refused writes are counted, not fatal: a request that waits longer than
 * movePauseLimitMs fails by design, and the table shows it.
 */
export async function verifyWrites(tenancy: AppTenancy, slug: string, w: WriterResult): Promise<void> {
  const { rows } = await tenancy.queryAs<{ name: string; n: number }>(slug, `select name, count(*)::int as n from projects where name like $1 group by name`, [
    `${w.tag} %`,
  ]);
  const found = new Map(rows.map((r) => [r.name, r.n]));
  for (const write of w.acknowledged) {
    const n = found.get(writeName(w.tag, write.seq)) ?? 0;
    check(n === 1, `acknowledged write ${write.seq} of ${w.tag} is there ${n} times after the move`);
  }
  for (const write of w.failed) check(!found.has(writeName(w.tag, write.seq)), `refused write ${write.seq} of ${w.tag} is there after the move`);
  check(found.size === w.acknowledged.length, `${found.size} of the writer's rows are there, ${w.acknowledged.length} were acknowledged`);
}
