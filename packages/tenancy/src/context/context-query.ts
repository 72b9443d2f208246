import pg from 'pg';

/** A statement sent ahead of the caller's query in the same write; its rows and completion are swallowed. */
export interface PreludeStatement {
  text: string;
  values?: string[];
}

/** The parts of pg's internal Connection this file drives; pg exports no type for it. */
interface WireConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(config: { portal?: string; rows?: number }): void;
}

/** pg.Query's protocol hooks, which @types/pg leaves out. */
interface QueryInternals {
  requiresPreparation(): boolean;
  prepare(connection: WireConnection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
}

const BaseQuery = pg.Query as unknown as new (config: pg.QueryConfig) => pg.Query & QueryInternals;
const passThrough = (value: unknown): unknown => value;

/**
 * Sends prelude statements (BEGIN, the transaction-local context) and the caller's query as one
 * write with a single Sync: one round trip where the naive form costs one per statement, and the
 * context can never be separated from the statement it guards. Prelude statements get no Describe,
 * so the server sends them no RowDescription; their DataRow and CommandComplete messages are
 * skipped here, and the caller sees only its own result.
 */
export class ContextQuery extends BaseQuery {
  private pendingPrelude: number;

  constructor(
    config: pg.QueryConfig,
    private readonly prelude: readonly PreludeStatement[],
  ) {
    super(config);
    this.pendingPrelude = prelude.length;
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: WireConnection): void {
    for (const statement of this.prelude) {
      connection.parse({ text: statement.text });
      connection.bind({ values: statement.values ?? [], valueMapper: passThrough });
      connection.execute({});
    }
    super.prepare(connection);
  }

  override handleDataRow(message: unknown): void {
    if (this.pendingPrelude > 0) return;
    super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: WireConnection): void {
    if (this.pendingPrelude > 0) {
      this.pendingPrelude--;
      return;
    }
    super.handleCommandComplete(message, connection);
  }
}

/** Runs a submittable query and resolves with its result; pg returns the submittable itself, not a promise. */
export function submit<R extends pg.QueryResultRow>(client: pg.ClientBase, query: ContextQuery): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => {
    (query as unknown as { callback: (err: Error | null, res: pg.QueryResult<R>) => void }).callback = (err, res) =>
      err ? reject(err) : resolve(res);
    client.query(query as unknown as pg.QueryConfig);
  });
}
