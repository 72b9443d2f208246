import { startLifecycleProcess, type ChildConfig, type LifecycleProcess } from '@repo/tenancy/test-processes';
import { ROOT } from '../config';

/** Processes started ahead: a round takes two (the killed one and the rerun), and a start-up takes seconds on a busy machine. */
const SPARES = 2;

/**
 * Lifecycle processes (@repo/tenancy/test-processes), one per call, each fresh: it has made no call before. Spares are
 * started ahead and wait with their pools open, so a kill's delay counts from the call, not from the start-up of node
 * and tsx, and a round does not wait for that start-up either.
 */
export class Children {
  private spares: { key: string; process: LifecycleProcess }[] = [];

  constructor(private readonly base: ChildConfig) {}

  /** A ready process for `overrides` (a changed migrations folder...); spares made for other options are killed. */
  async take(overrides: Partial<ChildConfig['tenancy']> = {}): Promise<LifecycleProcess> {
    const key = JSON.stringify(overrides);
    for (const stale of this.spares.filter((s) => s.key !== key)) await stale.process.kill();
    this.spares = this.spares.filter((s) => s.key === key);
    const taken = this.spares.shift()?.process ?? this.start(overrides);
    while (this.spares.length < SPARES) this.spares.push({ key, process: this.start(overrides) });
    await taken.ready();
    return taken;
  }

  private start(overrides: Partial<ChildConfig['tenancy']>): LifecycleProcess {
    const process = startLifecycleProcess({ ...this.base, tenancy: { ...this.base.tenancy, ...overrides } }, { cwd: ROOT });
    // A spare that failed to start fails the take() that gets it, not the process.
    process.ready().catch(() => undefined);
    return process;
  }

  async close(): Promise<void> {
    await Promise.all(this.spares.map((s) => s.process.kill()));
    this.spares = [];
  }
}
