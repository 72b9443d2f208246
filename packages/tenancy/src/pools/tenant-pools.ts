import pg from 'pg';
import { ConnectionWaitTimeoutError } from '../errors';

export interface TenantPoolStats {
  key: string;
  /** Server connections this pool holds open (idle + checked out). */
  total: number;
  idle: number;
  checkedOut: number;
  lastUsed: Date;
}

export interface PoolStats {
  maxConnections: number;
  /** Server connections across every per-tenant pool; never above maxConnections. */
  open: number;
  waiting: number;
  pools: TenantPoolStats[];
}

interface Entry {
  key: string;
  pool: pg.Pool;
  checkedOut: number;
  lastUsed: number;
}

/**
 * One lazily created pool per tenant database, with a cap on server connections across all of
 * them. At the cap, a tenant that holds connections waits for one of its own; only a tenant with
 * none takes a slot from the others, by closing the least recently used pool with nothing checked
 * out. When nothing can be freed, the caller waits for a release instead of failing.
 */
export class TenantPools {
  // Map order is recency order: a use moves the entry to the end.
  private readonly entries = new Map<string, Entry>();
  private waiters: (() => void)[] = [];
  private closed = false;
  /**
   * Server connections from the moment a pool creates a client until that client's connection has
   * ended. pg.Pool stops counting a client as soon as it starts closing it (an idle timeout, an
   * evicted pool), while the server still has the backend: counting until 'end' keeps the cap true
   * on the server too.
   */
  private live = 0;
  private readonly Client: typeof pg.Client;

  constructor(
    private readonly options: {
      maxConnections: number;
      perTenant: number;
      idleTimeoutMs: number;
      /** How long connect() waits for a connection to come free; 0: as long as it takes. */
      connectTimeoutMs?: number;
      /** The server's name, for the error when that wait runs out. */
      server?: string;
      clientClass?: typeof pg.Client | undefined;
    },
  ) {
    this.Client = this.countingClient(options.clientClass ?? pg.Client);
  }

  async connect(key: string, config: () => pg.PoolConfig): Promise<pg.PoolClient> {
    const limit = this.options.connectTimeoutMs ?? 0;
    const deadline = limit > 0 ? Date.now() + limit : Infinity;
    for (;;) {
      if (this.closed) throw new Error('The tenant pools are closed (tenancy.close() was called).');
      const entry = this.touch(key, config);
      // Decide and check out in the same tick: pg.Pool creates (and this class counts) a new client
      // synchronously, so no other caller can slip between the check and the checkout.
      if (this.canCheckOut(entry)) return this.checkOut(entry);
      // Registered before anything is freed, so the wake-up of a connection ending meanwhile is not missed.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => this.waiters.push((wake = resolve)));
      // Taking a second connection from another tenant would only make it reconnect in turn: with more busy
      // tenants than the cap allows second connections for, that trade churned a new connection per call.
      const holdsNone = entry.pool.totalCount === 0 && entry.checkedOut === 0;
      if (holdsNone && this.live >= this.options.maxConnections) await this.freeSlot(key);
      // pg.Pool's own connectionTimeoutMillis never sees this wait (the pool is not asked until a slot is free).
      if (!(await before(woken, deadline))) {
        this.waiters = this.waiters.filter((w) => w !== wake);
        throw new ConnectionWaitTimeoutError(this.options.server ?? 'primary', limit);
      }
    }
  }

  /** Closes one tenant's pool (before its database is dropped). */
  async close(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.pool.end();
    this.wake();
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const pools = [...this.entries.values()].map((e) => e.pool.end());
    this.entries.clear();
    await Promise.all(pools);
    this.wake();
  }

  stats(): PoolStats {
    return {
      maxConnections: this.options.maxConnections,
      open: this.live,
      waiting: this.waiters.length,
      pools: [...this.entries.values()].map((e) => ({
        key: e.key,
        total: e.pool.totalCount,
        idle: e.pool.idleCount,
        checkedOut: e.checkedOut,
        lastUsed: new Date(e.lastUsed),
      })),
    };
  }

  private touch(key: string, config: () => pg.PoolConfig): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      const pool = new pg.Pool({ ...config(), max: this.options.perTenant, idleTimeoutMillis: this.options.idleTimeoutMs, Client: this.Client });
      pool.on('error', () => undefined);
      // An idle connection closed by the pool frees a slot someone may be waiting for.
      pool.on('remove', () => this.wake());
      entry = { key, pool, checkedOut: 0, lastUsed: Date.now() };
    }
    entry.lastUsed = Date.now();
    this.entries.set(key, entry);
    return entry;
  }

  private canCheckOut(entry: Entry): boolean {
    if (entry.checkedOut < entry.pool.totalCount) return true; // an idle connection is there
    return entry.pool.totalCount < this.options.perTenant && this.live < this.options.maxConnections;
  }

  private async checkOut(entry: Entry): Promise<pg.PoolClient> {
    entry.checkedOut++;
    let client: pg.PoolClient;
    try {
      client = await entry.pool.connect();
    } catch (error) {
      entry.checkedOut--;
      this.wake();
      throw error;
    }
    const release = client.release.bind(client);
    let released = false;
    client.release = (destroy?: boolean | Error) => {
      if (released) return;
      released = true;
      entry.checkedOut--;
      release(destroy);
      this.wake();
    };
    return client;
  }

  /**
   * Closes the least recently used pool that has nothing checked out. A whole pool, not one idle
   * connection of it: pg.Pool hands out an idle client only on the next tick, and a pool ended in
   * between never serves that request.
   */
  private async freeSlot(except: string): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.key === except || entry.checkedOut > 0 || entry.pool.totalCount === 0) continue;
      this.entries.delete(entry.key);
      await entry.pool.end();
      return;
    }
  }

  private countingClient(Base: typeof pg.Client): typeof pg.Client {
    const opened = () => this.live++;
    const ended = () => {
      this.live--;
      this.wake();
    };
    return class CountedClient extends Base {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        opened();
        this.once('end', ended);
      }
    };
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Whether `woken` settles before `deadline` (a Date.now() value; Infinity waits as long as it takes). */
async function before(woken: Promise<void>, deadline: number): Promise<boolean> {
  if (deadline === Infinity) {
    await woken;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([woken.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
