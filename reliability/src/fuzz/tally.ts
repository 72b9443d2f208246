import { TenantNotActiveError } from '@repo/tenancy';
import { parseMarker } from './markers';

/** One foreign row, kept (the first few) for the report: what was asked for and what came back. */
export interface ForeignSighting {
  op: string;
  caller: string;
  asked: string;
  seen: string;
}

/** What the run counted. Every check's `passed` is computed from these. */
export class Tally {
  operations = 0;
  rowsChecked = 0;
  foreignRows = 0;
  readonly foreignSamples: ForeignSighting[] = [];
  opsByKind = new Map<string, number>();
  opsByCaller = new Map<string, number>();
  /** Errors by kind; `expected` marks the kinds that are not failures (a request that waited out a move's pause). */
  errors = new Map<string, { count: number; expected: boolean; sample: string }>();
  movingRetries = 0;
  /** Operations that ran longer than the run allows (each is also an error when it ends, or hangs the run). */
  stuck = 0;
  /** An update or delete of an acknowledged, reserved row that found no row: an acknowledged write gone. */
  lostAtWrite = 0;
  readonly lostSamples: string[] = [];
  hostileOps = 0;
  hostileStatements = 0;
  refusals = 0;
  /** A statement the session suite says must be refused that ran. */
  notRefused = 0;
  readonly notRefusedSamples: string[] = [];
  /** Operations right after a hostile one, on the same caller, that ran on the very server connection it used. */
  followUps = 0;
  followUpsSameConnection = 0;
  /** Follow-ups that found the connection not as a fresh transaction finds it (a setting, a channel, a cursor...). */
  taintedSessions = 0;
  readonly taintSamples: string[] = [];
  moves = 0;
  moveFailures = 0;
  migrations = 0;
  migrationFailures = 0;
  readonly underneathErrors: string[] = [];

  count(kind: string, caller: string): void {
    this.operations++;
    this.opsByKind.set(kind, (this.opsByKind.get(kind) ?? 0) + 1);
    this.opsByCaller.set(caller, (this.opsByCaller.get(caller) ?? 0) + 1);
  }

  /**
   * Checks rows read for tenant (`slug`, `tenantId`): every tenant_id column must be the tenant's, every text column
   * must carry the tenant's marker. `columns` pairs each tenant_id column with the text column of the same table.
   */
  checkRows(
    rows: readonly Record<string, unknown>[],
    columns: readonly (readonly [string, string])[],
    want: { slug: string; id: string },
    op: string,
    caller: string,
  ): void {
    for (const row of rows) {
      this.rowsChecked++;
      let foreign: string | undefined;
      for (const [tenantColumn, textColumn] of columns) {
        const tenantId = row[tenantColumn];
        // The absent side of a left join (tenant_id is NOT NULL in every tenant table).
        if (tenantId === null && row[textColumn] === null) continue;
        const found = parseMarker(row[textColumn]);
        if (tenantId !== want.id) foreign ??= `${tenantColumn}=${String(tenantId)}`;
        else if (found?.slug !== want.slug) foreign ??= `${textColumn}=${String(row[textColumn])}`;
      }
      if (foreign !== undefined) {
        this.foreignRows++;
        if (this.foreignSamples.length < 5) this.foreignSamples.push({ op, caller, asked: want.slug, seen: foreign });
      }
    }
  }

  error(error: unknown): void {
    const moving = error instanceof TenantNotActiveError && error.status === 'moving';
    if (moving) this.movingRetries++;
    const kind = moving ? 'moving (waited out the pause)' : errorKind(error);
    const known = this.errors.get(kind);
    if (known) known.count++;
    else this.errors.set(kind, { count: 1, expected: moving, sample: String((error as Error)?.message ?? error).slice(0, 200) });
  }

  unexpectedErrors(): number {
    let n = 0;
    for (const entry of this.errors.values()) if (!entry.expected) n += entry.count;
    return n;
  }

  /** "kind xN" for the report, most frequent first. */
  errorSummary(): string {
    const entries = [...this.errors.entries()].sort((a, b) => b[1].count - a[1].count);
    return entries.length === 0 ? 'none' : entries.map(([kind, e]) => `${kind} x${e.count}${e.expected ? ' (expected)' : ''}`).join('; ');
  }

  unexpectedSamples(): string {
    return [...this.errors.entries()]
      .filter(([, e]) => !e.expected)
      .slice(0, 3)
      .map(([kind, e]) => `${kind}: ${e.sample}`)
      .join(' | ');
  }
}

export function errorKind(error: unknown): string {
  const e = error as { name?: string; code?: string };
  return `${e?.name ?? typeof error}${e?.code ? ` ${e.code}` : ''}`;
}
