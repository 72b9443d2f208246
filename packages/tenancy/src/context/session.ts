import pg from 'pg';
import { TenantContextError } from '../errors.js';
import { ContextQuery, submit, type PreludeStatement } from './context-query.js';

export interface SessionOptions {
  /** PgBouncer transaction mode cannot keep named prepared statements across transactions. */
  allowNamedStatements: boolean;
}

/** drizzle's own transaction control statements, turned into a savepoint: the tenant transaction is already open. */
const NESTED_TRANSACTION: Record<string, string> = {
  begin: 'savepoint tenancy_nested',
  commit: 'release savepoint tenancy_nested',
  rollback: 'rollback to savepoint tenancy_nested',
};

/**
 * One tenant transaction on one client. The prelude (BEGIN and the transaction-local settings)
 * rides with the first statement, so a transaction of N statements costs N + 1 round trips, and a
 * transaction that runs nothing costs none.
 */
export class TenantSession {
  private preludeSent = false;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly prelude: readonly PreludeStatement[],
    private readonly options: SessionOptions,
  ) {}

  get started(): boolean {
    return this.preludeSent;
  }

  run<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    if (config.name && !this.options.allowNamedStatements) {
      return Promise.reject(
        new TenantContextError(
          `Named prepared statement "${config.name}" refused: PgBouncer in transaction mode hands each transaction a different server connection, where the statement does not exist. Drop the name (drizzle: call .execute() without .prepare(name)).`,
        ),
      );
    }
    // Extended protocol for everything: it refuses several statements in one string, so an
    // injected "; SET ..." cannot ride along with a legitimate query.
    const query: pg.QueryConfig = { ...config, queryMode: 'extended' } as pg.QueryConfig;
    if (this.preludeSent) return this.client.query<R>(query);
    this.preludeSent = true;
    return submit<R>(this.client, new ContextQuery(query, this.prelude));
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

  /** Commits, and refuses to report success for a transaction the server rolled back. */
  async commit(): Promise<void> {
    if (!this.preludeSent) return;
    const result = await this.client.query('COMMIT');
    if (result.command === 'ROLLBACK') {
      throw new TenantContextError('The tenant transaction was rolled back because one of its statements failed; nothing was written.');
    }
  }

  async rollback(): Promise<void> {
    if (!this.preludeSent) return;
    await this.client.query('ROLLBACK');
  }
}
