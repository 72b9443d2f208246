import type { Random } from './random';

export type Mode = 'short' | 'full';

/** What every part of the run gets. */
export interface PartContext {
  mode: Mode;
  /** The run's seed; `random` is a stream of this part's own, derived from it. */
  seed: number;
  random: Random;
  /** A directory of this part's own, removed after the run. */
  workDir: string;
  log(line: string): void;
}

/**
 * One line of the summary: what was done and whether what must hold held. `figures` are counts and
 * measurements printed as they are (operations, rows checked, foreign rows seen...); `must` says in
 * words what `passed` checked, e.g. "foreign rows, lost and doubled writes all 0".
 */
export interface Check {
  name: string;
  figures: Record<string, number | string>;
  must: string;
  passed: boolean;
  /** Why it failed, or anything a reader of a passing run should know. */
  detail?: string;
  /** Measurements over time (e.g. the soak's samples of memory and connections), one object per sample: kept in the report, not printed. */
  series?: Record<string, number | string>[];
}

/** A tool a part cannot run without. In CI a missing one fails the run; elsewhere the part is skipped, and the run says so at its end. */
export type Requirement = 'pgbouncer' | 'chromium';

export interface Part {
  name: string;
  title: string;
  requires: Requirement[];
  run(ctx: PartContext): Promise<Check[]>;
}
