import pg from 'pg';

/** A statement sent in the same write as the caller's query; its rows and completion are swallowed. */
export interface PreludeStatement {
  text: string;
  values?: (string | null)[];
}

/** Transaction status of the server connection, from its last ReadyForQuery: idle, in a transaction, in a failed one. */
export type TransactionStatus = 'I' | 'T' | 'E';

export interface ContextQueryOptions {
  /** Statements before the caller's (BEGIN, the transaction-local context). */
  prelude?: readonly PreludeStatement[];
  /** Statements after it, before the Sync (the session reset). Their errors fail the query. */
  postlude?: readonly PreludeStatement[];
  /**
   * Statuses the connection may be in when the query is sent. Checked when pg dispatches the query,
   * after the previous ReadyForQuery was read: a connection left outside (or inside) a transaction
   * against the library's expectation is refused before anything reaches it.
   */
  expect?: { client: pg.ClientBase; statuses: readonly TransactionStatus[]; onUnexpected: (status: string | null) => Error };
}

/** The parts of pg's internal Connection this file drives; pg exports no type for it. */
interface WireConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  flush(): void;
}

/** pg.Query's protocol hooks, which @types/pg leaves out. */
interface QueryInternals {
  rows?: number;
  portal: string;
  submit(connection: WireConnection): Error | null;
  requiresPreparation(): boolean;
  prepare(connection: WireConnection): void;
  _getRows(connection: WireConnection, rows?: number): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
  handleEmptyQuery(connection: WireConnection): void;
}

interface StatusReader {
  getTransactionStatus(): string | null;
}

const BaseQuery = pg.Query as unknown as new (config: pg.QueryConfig) => QueryInternals;
const passThrough = (value: unknown): unknown => value;

/**
 * Sends prelude statements, the caller's query and postlude statements as one write with a single
 * Sync: one round trip where the naive form costs one per statement, and neither the context nor
 * the reset can be separated from the statement they guard. Prelude and postlude statements get
 * no Describe, so the server sends them no RowDescription; their DataRow and CommandComplete
 * messages are skipped here, and the caller sees only its own result.
 */
export class ContextQuery extends BaseQuery {
  private pendingPrelude: number;
  private mainDone = false;
  private readonly prelude: readonly PreludeStatement[];
  private readonly postlude: readonly PreludeStatement[];

  constructor(
    config: pg.QueryConfig,
    private readonly options: ContextQueryOptions = {},
  ) {
    super(config);
    this.prelude = options.prelude ?? [];
    this.postlude = options.postlude ?? [];
    this.pendingPrelude = this.prelude.length;
  }

  override submit(connection: WireConnection): Error | null {
    const expect = this.options.expect;
    if (expect) {
      const status = (expect.client as unknown as StatusReader).getTransactionStatus();
      if (!expect.statuses.includes(status as TransactionStatus)) return expect.onUnexpected(status);
    }
    return super.submit(connection);
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: WireConnection): void {
    sendAll(connection, this.prelude);
    super.prepare(connection);
  }

  /** pg calls this to execute the portal and Sync; the postlude goes between the two. */
  override _getRows(connection: WireConnection, rows?: number): void {
    if (rows || this.postlude.length === 0) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: this.portal });
    sendAll(connection, this.postlude);
    connection.sync();
  }

  override handleDataRow(message: unknown): void {
    if (this.pendingPrelude > 0 || this.mainDone) return;
    super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: WireConnection): void {
    if (this.pendingPrelude > 0) {
      this.pendingPrelude--;
      return;
    }
    if (this.mainDone) return;
    this.mainDone = true;
    super.handleCommandComplete(message, connection);
  }

  override handleEmptyQuery(connection: WireConnection): void {
    this.mainDone = true;
    super.handleEmptyQuery(connection);
  }
}

function sendAll(connection: WireConnection, statements: readonly PreludeStatement[]): void {
  for (const statement of statements) {
    connection.parse({ text: statement.text });
    connection.bind({ values: statement.values ?? [], valueMapper: passThrough });
    connection.execute({});
  }
}

/** Runs a submittable query and resolves with its result; pg returns the submittable itself, not a promise. */
export function submit<R extends pg.QueryResultRow>(client: pg.ClientBase, query: ContextQuery): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => {
    (query as unknown as { callback: (err: Error | null, res: pg.QueryResult<R>) => void }).callback = (err, res) => (err ? reject(err) : resolve(res));
    client.query(query as unknown as pg.QueryConfig);
  });
}
