import type { Random } from '../random';

export const TABLES = ['projects', 'tasks', 'comments'] as const;
export type Table = (typeof TABLES)[number];

/** The parent table of each child table (tasks point at projects, comments at tasks). */
export const PARENT: Record<Table, Table | null> = { projects: null, tasks: 'projects', comments: 'tasks' };

/**
 * One row the fuzzer inserted, as its acknowledged writes left it. `alive`: every write on it was acknowledged and the
 * last left it there with `version`; `deleted`: an acknowledged delete (its own or an ancestor's, by cascade) removed
 * it; `unknown`: a call on it failed at or after COMMIT, so it may or may not be there (never lost, never doubled).
 */
export interface RowEntry {
  table: Table;
  slug: string;
  row: number;
  id: string;
  parent: RowEntry | null;
  children: RowEntry[];
  version: number;
  /** Versions an update whose outcome is unknown may have left, besides `version`. */
  maybeVersions: number[];
  state: 'alive' | 'deleted' | 'unknown';
  /** Set on a project while a write in its tree runs: writes of one tree never overlap, so "the last value" is defined. */
  busy: boolean;
}

export interface LedgerFigures {
  acked: number;
  ackedInserts: number;
  ackedUpdates: number;
  ackedDeletes: number;
  unknown: number;
}

/** Every acknowledged write, per tenant, and the reservations that keep concurrent writes of one project tree apart. */
export class Ledger {
  private nextRow = 1;
  private nextVersion = 1;
  private readonly alive = new Map<string, Record<Table, RowEntry[]>>();
  readonly rows = new Map<string, RowEntry>();
  /** Inserts whose outcome is unknown: their marker row may appear once, or not at all. */
  readonly unknownInserts = new Set<string>();
  readonly figures: LedgerFigures = { acked: 0, ackedInserts: 0, ackedUpdates: 0, ackedDeletes: 0, unknown: 0 };

  newRow(): number {
    return this.nextRow++;
  }

  newVersion(): number {
    return this.nextVersion++;
  }

  /** A committed insert (the call resolved). */
  inserted(table: Table, slug: string, row: number, id: string, parent: RowEntry | null): RowEntry {
    const entry: RowEntry = { table, slug, row, id, parent, children: [], version: 0, maybeVersions: [], state: 'alive', busy: false };
    parent?.children.push(entry);
    this.rows.set(key(slug, row), entry);
    this.listOf(slug)[table].push(entry);
    this.figures.acked++;
    this.figures.ackedInserts++;
    return entry;
  }

  insertUnknown(slug: string, row: number): void {
    this.unknownInserts.add(key(slug, row));
    this.figures.unknown++;
  }

  updated(entry: RowEntry, version: number): void {
    entry.version = version;
    entry.maybeVersions = [];
    this.figures.acked++;
    this.figures.ackedUpdates++;
  }

  updateUnknown(entry: RowEntry, version: number): void {
    entry.maybeVersions.push(version);
    this.figures.unknown++;
  }

  deleted(entry: RowEntry): void {
    markTree(entry, 'deleted');
    this.figures.acked++;
    this.figures.ackedDeletes++;
  }

  deleteUnknown(entry: RowEntry): void {
    markTree(entry, 'unknown');
    this.figures.unknown++;
  }

  /**
   * A live row of `table` in the tenant whose project tree no other write holds, reserved until `release`; undefined
   * when none is free right now.
   */
  reserve(random: Random, slug: string, table: Table): RowEntry | undefined {
    const list = this.listOf(slug)[table];
    for (let attempt = 0; attempt < 4 && list.length > 0; attempt++) {
      const i = random.int(0, list.length - 1);
      const entry = list[i]!;
      if (entry.state !== 'alive') {
        list[i] = list[list.length - 1]!;
        list.pop();
        continue;
      }
      const root = rootOf(entry);
      if (root.busy) continue;
      root.busy = true;
      return entry;
    }
    return undefined;
  }

  release(entry: RowEntry): void {
    rootOf(entry).busy = false;
  }

  /** How many rows of `table` the tenant holds by the ledger's count (dead ones are dropped lazily). */
  size(slug: string, table: Table): number {
    return this.listOf(slug)[table].length;
  }

  private listOf(slug: string): Record<Table, RowEntry[]> {
    let lists = this.alive.get(slug);
    if (!lists) {
      lists = { projects: [], tasks: [], comments: [] };
      this.alive.set(slug, lists);
    }
    return lists;
  }
}

export function key(slug: string, row: number): string {
  return `${slug}:${row}`;
}

function rootOf(entry: RowEntry): RowEntry {
  let root = entry;
  while (root.parent) root = root.parent;
  return root;
}

function markTree(entry: RowEntry, state: 'deleted' | 'unknown'): void {
  // A row already deleted stays deleted: an unknown delete of its ancestor cannot bring it back.
  if (entry.state !== 'deleted') entry.state = state;
  for (const child of entry.children) markTree(child, state);
}
