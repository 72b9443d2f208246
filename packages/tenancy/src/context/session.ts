import type pg from 'pg';
import { TenantContextError } from '../errors';
import { resetSession } from '../setup/reset-function';
import { ContextQuery, submit, type PreludeStatement, type TransactionStatus } from './context-query';
import { transactionControlIn } from './transaction-control';

/** drizzle's own transaction control statements, turned into a savepoint: the tenant transaction is already open. */
const NESTED_TRANSACTION: Record<string, string> = {
  begin: 'savepoint tenancy_nested',
  commit: 'release savepoint tenancy_nested',
  rollback: 'rollback to savepoint tenancy_nested',
};

const IN_TRANSACTION: readonly TransactionStatus[] = ['T', 'E'];
const IDLE: readonly TransactionStatus[] = ['I'];
const IN_FAILED_TRANSACTION = '25P02';

/**
 * One tenant transaction on one client. The prelude (BEGIN and the transaction-local settings)
 * rides with the first statement, so a transaction of N statements costs N + 1 round trips, and a
 * transaction that runs nothing costs none.
 *
 * Whatever the statements inside leave at session level (settings, role, cursors, prepared
 * statements, LISTEN, advisory locks) is reset before COMMIT, in the same write, so it never
 * outlives the transaction on a pooled connection. Statements that would end the transaction
 * before that reset are refused, and a connection found outside the transaction it should be in
 * is never used again.
 */
export class TenantSession {
  private preludeSent = false;
  private brokenBy: TenantContextError | undefined;
  private readonly reset: PreludeStatement;

  /** `behindPgBouncer`: the reset must also put back the application_name (PgBouncer keeps the server's, not the client's). */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly settings: PreludeStatement,
    behindPgBouncer: boolean,
  ) {
    this.reset = resetSession(behindPgBouncer ? applicationNameOf(client) : null);
  }

  /** Set when the connection must not go back to the pool: its state is not what the library left. */
  get broken(): Error | undefined {
    return this.brokenBy;
  }

  run<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    const refused = this.brokenBy ?? refusal(config);
    if (refused) return Promise.reject(refused);
    const first = !this.preludeSent;
    this.preludeSent = true;
    const query = new ContextQuery(extended(config), {
      prelude: first ? [{ text: 'BEGIN' }, this.settings] : [],
      expect: this.expect(first ? IDLE : IN_TRANSACTION),
    });
    return submit<R>(this.client, query);
  }

  /** The object drizzle's node-postgres driver talks to: it only ever calls `query(config, values)`. */
  drizzleClient(): { query: (config: pg.QueryConfig | string, values?: unknown[]) => Promise<pg.QueryResult> } {
    return {
      query: (config, values) => {
        const normalized: pg.QueryConfig = typeof config === 'string' ? { text: config } : { ...config };
        if (values !== undefined) normalized.values = values;
        const nested = NESTED_TRANSACTION[normalized.text.trim().toLowerCase()];
        if (nested) normalized.text = nested;
        return this.run(normalized);
      },
    };
  }

  /** Resets the session and commits in one write; refuses to report success for a transaction the server rolled back. */
  async commit(): Promise<void> {
    if (!this.preludeSent) return;
    if (this.brokenBy) throw this.brokenBy;
    try {
      await submit(
        this.client,
        new ContextQuery({ text: 'COMMIT', queryMode: 'extended' } as pg.QueryConfig, { prelude: [this.reset], expect: this.expect(IN_TRANSACTION) }),
      );
    } catch (error) {
      if ((error as { code?: string }).code === IN_FAILED_TRANSACTION) {
        throw new TenantContextError('The tenant transaction was rolled back because one of its statements failed; nothing was written.', { cause: error });
      }
      throw error;
    }
  }

  /** Rolls back, then resets what a rollback keeps (session advisory locks, prepared statements) in the same write. */
  async rollback(): Promise<void> {
    if (!this.preludeSent) return;
    if (this.brokenBy) throw this.brokenBy;
    await submit(
      this.client,
      new ContextQuery({ text: 'ROLLBACK', queryMode: 'extended' } as pg.QueryConfig, { postlude: [this.reset], expect: this.expect(IN_TRANSACTION) }),
    );
  }

  /**
   * One statement in an implicit transaction: the settings, the statement and the reset share one
   * write and one Sync. Returns only when the connection is idle again.
   */
  async runOnce<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    const refused = refusal(config);
    if (refused) throw refused;
    this.preludeSent = true;
    const result = await submit<R>(
      this.client,
      new ContextQuery(extended(config), { prelude: [this.settings], postlude: [this.reset], expect: this.expect(IDLE) }),
    );
    const status = (this.client as unknown as { getTransactionStatus(): string | null }).getTransactionStatus();
    if (status !== 'I') throw this.break(`The statement left the connection in a transaction (status ${status}); it is closed, not reused.`);
    return result;
  }

  private expect(statuses: readonly TransactionStatus[]) {
    return {
      client: this.client,
      statuses,
      onUnexpected: (status: string | null) =>
        this.break(
          statuses === IDLE
            ? `The pooled connection was handed over inside a transaction (status ${status}): refused, and it is closed.`
            : 'A statement inside the tenant transaction ended it: refused, and the connection is closed.',
        ),
    };
  }

  private break(message: string): TenantContextError {
    this.brokenBy ??= new TenantContextError(message);
    return this.brokenBy;
  }
}

/** Extended protocol for everything: it refuses several statements in one string, so an injected "; SET ..." cannot ride along. */
function extended(config: pg.QueryConfig): pg.QueryConfig {
  return { ...config, queryMode: 'extended' } as pg.QueryConfig;
}

function refusal(config: pg.QueryConfig): TenantContextError | undefined {
  if (config.name) {
    // A named statement outlives the transaction on the server connection, where SQL run by another tenant's
    // request could replace it (DEALLOCATE, PREPARE) before this process runs it again.
    return new TenantContextError(
      `Named prepared statement "${config.name}" refused: tenant transactions use unnamed statements only (a named one outlives the transaction on a shared connection, and PgBouncer in transaction mode cannot keep it). Drop the name (drizzle: call .execute() without .prepare(name)).`,
    );
  }
  const control = transactionControlIn(config.text);
  if (control) {
    return new TenantContextError(
      `"${control.toUpperCase()}" refused inside a tenant transaction: the library begins and ends it (use a savepoint, or tx.db.transaction(), which nests as one).`,
    );
  }
  return undefined;
}

/** The application_name the client connected with (its config or PGAPPNAME), as node-postgres resolved it. */
function applicationNameOf(client: pg.ClientBase): string {
  const { connectionParameters } = client as pg.ClientBase & { connectionParameters?: { application_name?: string } };
  return connectionParameters?.application_name ?? '';
}
