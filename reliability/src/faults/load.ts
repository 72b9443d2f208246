import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppTenancy } from '@repo/db/tenancy';
import type { Mode } from '../part';
import type { LoadTenant } from './deployment';

/** How a write is made: a project and a task under it, in one tenant transaction; both carry the marker. */
export async function writeMarker(tenancy: AppTenancy, slug: string, marker: string): Promise<void> {
  await tenancy.withTenant(
    slug,
    async (tx) => {
      const { rows } = await tx.query<{ id: string }>('INSERT INTO projects (name) VALUES ($1) RETURNING id', [marker]);
      await tx.query('INSERT INTO tasks (project_id, title) VALUES ($1, $2)', [rows[0]!.id, marker]);
    },
    { role: 'admin' },
  );
}

export interface LoadError {
  tenant: string;
  op: 'write' | 'read';
  /** performance.now() when the call was made and when it failed. */
  at: number;
  ms: number;
  name: string;
  code: string | undefined;
  message: string;
  error: unknown;
}

export interface LoadSize {
  writers: number;
  readers: number;
  /** Pause between one caller's calls, so the load leaves the machine to the faults too. */
  pauseMs: number;
}

export const LOAD_SIZE: Record<Mode, LoadSize> = {
  short: { writers: 2, readers: 1, pauseMs: 15 },
  full: { writers: 3, readers: 1, pauseMs: 5 },
};

/**
 * Writer and reader loops per tenant through the library, as an app's requests would be. Every write
 * whose call resolved is acknowledged and must survive; a write whose call failed is "in doubt" (its
 * commit may or may not have landed). Readers check that every row they get is their tenant's.
 */
export class Load {
  /** Acknowledged markers per tenant slug. */
  readonly acked = new Map<string, Set<string>>();
  /** Markers whose call failed: present or not, both are allowed. */
  readonly inDoubt = new Map<string, Set<string>>();
  readonly errors: LoadError[] = [];
  /** Successful calls per tenant, as performance.now() times (the latest few). */
  private readonly lastOk = new Map<string, number>();
  writes = 0;
  reads = 0;
  rowsRead = 0;
  /** Rows a reader got that are not its tenant's (another tenant id, or another tenant's marker). */
  foreignRows = 0;
  /** The slowest call seen, in ms: a call that hangs instead of failing shows here. */
  slowestMs = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;
  /** The tenants the loops write to and read from. */
  readonly tenants: LoadTenant[];

  constructor(
    private tenancy: AppTenancy,
    tenants: readonly LoadTenant[],
    private readonly size: LoadSize,
  ) {
    this.tenants = [...tenants];
    for (const t of tenants) {
      this.acked.set(t.slug, new Set());
      this.inDoubt.set(t.slug, new Set());
    }
  }

  /** Serve through another instance (the same deployment through PgBouncer); only between stop and start. */
  through(tenancy: AppTenancy): void {
    if (this.running) throw new Error('Load.through() while running');
    this.tenancy = tenancy;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const tenant of this.tenants) {
      for (let w = 0; w < this.size.writers; w++) this.loops.push(this.writer(tenant, w));
      for (let r = 0; r < this.size.readers; r++) this.loops.push(this.reader(tenant));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** A write made outside the loops (a fault's own call): acknowledged, or in doubt. */
  record(slug: string, marker: string, acknowledged: boolean): void {
    (acknowledged ? this.acked : this.inDoubt).get(slug)!.add(marker);
  }

  /** Stops writing to a tenant (before a fault removes it); its ledger stays. */
  retire(slug: string): void {
    if (this.running) throw new Error('Load.retire() while running');
    const i = this.tenants.findIndex((t) => t.slug === slug);
    if (i >= 0) this.tenants.splice(i, 1);
  }

  /** The last time a call for `slug` succeeded (performance.now()), or -1. */
  lastSuccess(slug: string): number {
    return this.lastOk.get(slug) ?? -1;
  }

  errorsBetween(from: number, to: number, slugs?: readonly string[]): LoadError[] {
    return this.errors.filter((e) => e.at >= from && e.at <= to && (!slugs || slugs.includes(e.tenant)));
  }

  ackedCount(): number {
    return [...this.acked.values()].reduce((n, s) => n + s.size, 0);
  }

  private async writer(tenant: LoadTenant, w: number): Promise<void> {
    while (this.running) {
      const marker = `${tenant.slug}:w${w}:${this.seq++}`;
      const at = performance.now();
      try {
        await writeMarker(this.tenancy, tenant.slug, marker);
        this.acked.get(tenant.slug)!.add(marker);
        this.writes++;
        this.ok(tenant.slug, at);
      } catch (error) {
        this.inDoubt.get(tenant.slug)!.add(marker);
        this.failed(tenant.slug, 'write', at, error);
      }
      await sleep(this.size.pauseMs);
    }
  }

  private async reader(tenant: LoadTenant): Promise<void> {
    while (this.running) {
      const at = performance.now();
      try {
        const { rows } = await this.tenancy.queryAs<{ tenant_id: string; name: string }>(
          tenant.slug,
          'SELECT tenant_id, name FROM projects ORDER BY created_at DESC LIMIT 20',
        );
        this.reads++;
        this.rowsRead += rows.length;
        for (const row of rows) if (row.tenant_id !== tenant.id || !row.name.startsWith(`${tenant.slug}:`)) this.foreignRows++;
        this.ok(tenant.slug, at);
      } catch (error) {
        this.failed(tenant.slug, 'read', at, error);
      }
      await sleep(this.size.pauseMs);
    }
  }

  private ok(slug: string, at: number): void {
    const ms = performance.now() - at;
    if (ms > this.slowestMs) this.slowestMs = ms;
    this.lastOk.set(slug, Math.max(this.lastOk.get(slug) ?? -1, at));
  }

  private failed(slug: string, op: 'write' | 'read', at: number, error: unknown): void {
    const ms = performance.now() - at;
    if (ms > this.slowestMs) this.slowestMs = ms;
    const e = error as { name?: string; code?: string; message?: string };
    this.errors.push({ tenant: slug, op, at, ms, name: e?.name ?? typeof error, code: e?.code, message: e?.message ?? String(error), error });
  }
}
