import { deriveKey, signContext } from '@repo/tenancy/context';
import pg from 'pg';
import type { Approach } from '../harness/approaches';
import type { TenantRef } from '../harness/dataset';

/**
 * queryAs and withTenant of rls tenants rebuilt message for message, with the end-of-transaction
 * session reset or without it. The two twins differ in that statement alone, so the difference of
 * their times, taken side by side in one run, is what the reset costs: the product has no switch
 * that turns it off, and must not have one.
 */

/** A statement sent in the same write as the measured one; its rows and completion are dropped. */
export interface Extra {
  text: string;
  values: unknown[];
  /** A named statement, parsed once per connection and then only bound (what the library does not do: bench section 8). */
  name?: string;
}

interface Wire {
  parse(config: { text: string; name?: string }): void;
  bind(config: { statement?: string; values?: unknown[]; valueMapper?: (value: unknown) => unknown }): void;
  execute(config: { portal?: string }): void;
  sync(): void;
}

interface QueryInternals {
  portal: string;
  callback?: (err: Error | null, res: pg.QueryResult) => void;
  requiresPreparation(): boolean;
  prepare(connection: Wire): void;
  _getRows(connection: Wire, rows?: number): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: Wire): void;
}

const BaseQuery = pg.Query as unknown as new (config: pg.QueryConfig) => QueryInternals;
const asIs = (value: unknown) => value;

/** Named statements already parsed, per connection. */
const parsed = new WeakMap<Wire, Set<string>>();

function sendAll(connection: Wire, extras: readonly Extra[]): void {
  for (const extra of extras) {
    if (extra.name) {
      const names = parsed.get(connection) ?? new Set<string>();
      parsed.set(connection, names);
      if (!names.has(extra.name)) connection.parse({ text: extra.text, name: extra.name });
      names.add(extra.name);
      connection.bind({ statement: extra.name, values: extra.values, valueMapper: asIs });
    } else {
      connection.parse({ text: extra.text });
      connection.bind({ values: extra.values, valueMapper: asIs });
    }
    connection.execute({});
  }
}

/** Extras before and after one statement, one Sync: the library's ContextQuery, without its guards. */
class TwinQuery extends BaseQuery {
  private pending: number;
  private done = false;

  constructor(
    config: pg.QueryConfig,
    private readonly before: readonly Extra[],
    private readonly after: readonly Extra[],
  ) {
    super({ ...config, queryMode: 'extended' } as pg.QueryConfig);
    this.pending = before.length;
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: Wire): void {
    sendAll(connection, this.before);
    super.prepare(connection);
  }

  override _getRows(connection: Wire): void {
    connection.execute({ portal: this.portal });
    sendAll(connection, this.after);
    connection.sync();
  }

  override handleDataRow(message: unknown): void {
    if (this.pending === 0 && !this.done) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: Wire): void {
    if (this.pending > 0) {
      this.pending--;
      return;
    }
    if (this.done) return;
    this.done = true;
    super.handleCommandComplete(message, connection);
  }
}

/** One statement with extras before and after it, one write and one Sync, as the library sends it. */
export function send(client: pg.PoolClient, text: string, values: unknown[], before: Extra[] = [], after: Extra[] = []): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new TwinQuery({ text, values }, before, after);
    query.callback = (err, res) => (err ? reject(err) : resolve(res));
    client.query(query as unknown as pg.QueryConfig);
  });
}

/**
 * The statement the library sends to reset the session (packages/tenancy, setup/reset-function.ts).
 * A twin that sent another would measure something else: keep the two the same.
 */
export const LIBRARY_RESET: Extra = { text: 'CALL tenancy.reset_session($1)', values: [null] };

export interface TwinOptions {
  pool: pg.Pool;
  contextSecret: string;
  /** The reset the library sends before the Sync (queryAs) or the COMMIT (withTenant); null for none. */
  reset: Extra | null;
  statements: 1 | 3;
}

/**
 * What the library's app pool connects with on a direct connection: the shared tables' search_path
 * as a startup setting, so an rls tenant's transaction sets only its context (packages/tenancy,
 * deployment.ts). Twins connect the same way.
 */
export const TWIN_CONNECTION = { options: '-c search_path=public,tenancy,pg_temp' } as const;

/** The context settings queryAs sends for an rls tenant, with one token per tenant signed once (the library caches them too). */
export function contextFor(contextSecret: string): (t: TenantRef) => Extra {
  const key = deriveKey(contextSecret);
  const tokens = new Map<string, string>();
  return (t) => {
    let token = tokens.get(t.id);
    if (!token) {
      token = signContext({ tenantId: t.id, userId: t.userId, role: 'member', expiresAt: Math.floor(Date.now() / 1000) + 86_400 }, key);
      tokens.set(t.id, token);
    }
    return { text: 'SELECT set_config($1, $2, true)', values: ['tenancy.context', token] };
  };
}

export function wireTwinApproach(options: TwinOptions): Approach {
  const context = contextFor(options.contextSecret);
  const reset = options.reset ? [options.reset] : [];
  const three = options.statements === 3;
  return {
    key: `twin-${three ? 'tx3-' : ''}${options.reset ? 'reset' : 'no-reset'}`,
    label: `${three ? 'withTenant ×3' : 'queryAs'} twin, ${options.reset ? 'with the reset' : 'no reset'}`,
    detail: `the library's messages for an rls tenant rebuilt by hand, ${options.reset ? `ending with ${options.reset.text}` : 'without the session reset'}`,
    statements: options.statements,
    call: async (t, list) => {
      const client = await options.pool.connect();
      let broken: Error | undefined;
      try {
        if (!three) return [(await send(client, list[0]!.context.text, list[0]!.context.values, [context(t)], reset)).rows];
        const out: Record<string, unknown>[][] = [];
        for (const [i, s] of list.entries())
          out.push((await send(client, s.context.text, s.context.values, i === 0 ? [{ text: 'BEGIN', values: [] }, context(t)] : [])).rows);
        // Before COMMIT, in the same write, as the library sends it.
        await send(client, 'COMMIT', [], reset);
        return out;
      } catch (error) {
        broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
