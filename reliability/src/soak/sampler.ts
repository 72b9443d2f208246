import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { HeapWatcher } from './heap';

/** One sample of the server process and of the database's connections. */
export interface Sample {
  /** Seconds since the load started. */
  t: number;
  /** Taken during the warm-up (left out of the growth comparison) or the measured load. */
  phase: 'warm-up' | 'measured';
  rssMiB: number;
  /** V8 heap used after the latest collection, and after the latest full one (from --trace-gc), if any yet. */
  heapMiB: number | undefined;
  heapAfterFullGcMiB: number | undefined;
  /** Requests done by then. */
  requests: number;
  /** Client connections to the server (all databases), the sampler's own left out. */
  connections: number;
  /** The same, by `usename/datname`. */
  byRole: Record<string, number>;
}

/** The role of a backend still authenticating (no role or database yet). */
export const CONNECTING = '(connecting)';

/** VmRSS of a process, MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status: is the process gone?`);
  return Number(kib) / 1024;
}

/**
 * Samples every `everySeconds` until stopped: the web server's RSS from /proc/<pid>/status (the node process that
 * serves, not a wrapper), and pg_stat_activity's client backends by role and database, on a superuser connection of
 * its own (left out of the counts).
 */
export class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private client: pg.Client | undefined;
  private started = 0;
  private pending: Promise<void> = Promise.resolve();
  phase: Sample['phase'] = 'warm-up';
  /** A sample that could not be taken (the process gone, the database down): the run is wrong, not merely slow. */
  failure: string | undefined;

  constructor(
    private readonly pid: number,
    private readonly adminUrl: string,
    private readonly everySeconds: number,
    private readonly heap: HeapWatcher,
    private readonly requests: () => number,
  ) {}

  async start(): Promise<void> {
    this.client = new pg.Client({ connectionString: this.adminUrl, application_name: 'soak-sampler' });
    await this.client.connect();
    this.started = Date.now();
    await this.take();
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.take());
    }, this.everySeconds * 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pending;
    await this.take();
    await this.client?.end();
  }

  private async take(): Promise<void> {
    try {
      const [rss, { rows }] = await Promise.all([
        rssMiB(this.pid),
        this.client!.query<{ usename: string; datname: string; count: number }>(
          `SELECT coalesce(usename, $1) AS usename, coalesce(datname, '') AS datname, count(*)::int AS count FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 1, 2`,
          [CONNECTING],
        ),
      ]);
      const byRole = Object.fromEntries(rows.map((row) => [`${row.usename}/${row.datname}`, row.count]));
      this.samples.push({
        t: Math.round((Date.now() - this.started) / 100) / 10,
        phase: this.phase,
        rssMiB: Math.round(rss * 10) / 10,
        heapMiB: this.heap.usedMiB,
        heapAfterFullGcMiB: this.heap.afterFullGcMiB,
        requests: this.requests(),
        connections: rows.reduce((sum, row) => sum + row.count, 0),
        byRole,
      });
    } catch (error) {
      this.failure ??= error instanceof Error ? error.message : String(error);
    }
  }
}
