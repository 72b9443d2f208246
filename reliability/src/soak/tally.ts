/** What the users did: requests by operation, latencies, and every answer that was not the one expected. */
export interface SoakError {
  op: string;
  path: string;
  /** The status, or what went wrong before one came (timeout, connection refused). */
  status: number | string;
  why: string;
}

export class Tally {
  readonly latenciesMs: number[] = [];
  readonly byOp = new Map<string, number>();
  errors = 0;
  /** Answers that showed another organisation's data (also counted in errors). */
  foreign = 0;
  readonly examples: SoakError[] = [];

  done(op: string, ms: number): void {
    this.latenciesMs.push(ms);
    this.byOp.set(op, (this.byOp.get(op) ?? 0) + 1);
  }

  fail(error: SoakError, foreign = false): void {
    this.errors++;
    if (foreign) this.foreign++;
    if (this.examples.length < 5) this.examples.push(error);
  }

  get requests(): number {
    return this.latenciesMs.length;
  }

  percentile(p: number): number {
    if (this.latenciesMs.length === 0) return 0;
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  }
}
