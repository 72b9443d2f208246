import { startLocalPgBouncer, type LocalPgBouncer } from '@repo/db/local';
import type { DatabaseUrls } from '@repo/db/prepare';
import { createAppTenancy, type AppTenancy } from '@repo/db/tenancy';
import pg from 'pg';
import { prepareDeployment, startServer, type ReliabilityServer } from '../harness/server';

export const POOLERS = ['pg.Pool', 'PgBouncer session', 'PgBouncer transaction'] as const;
export type Pooler = (typeof POOLERS)[number];

/** One application process's view of the deployment: its own tenancy (pools, catalog cache) through one pooler. */
export interface Caller {
  pooler: Pooler;
  tenancy: AppTenancy;
}

export interface FuzzDeployment {
  server: ReliabilityServer;
  urls: DatabaseUrls;
  /** The operator's process: provisions, moves and (after a migration) is replaced by one that reads the new folder. */
  control: AppTenancy;
  callers: Caller[];
  /** A superuser query in `database` (null: the deployment's own), for the verification after the run. */
  superuser<T extends pg.QueryResultRow>(database: string | null, text: string, params?: unknown[]): Promise<pg.QueryResult<T>>;
  /** A tenancy for the control plane's work with another tenant migrations folder (the migration underneath). */
  controlWith(migrationsFolder: string): AppTenancy;
  /** The last lines PgBouncer logged, per pooler: what a stuck call is explained by. */
  poolerLog(pooler: Pooler): string;
  close(): Promise<void>;
}

const AUTH_PASSWORD = 'fuzz-pgbouncer-auth';

/**
 * Small pools, so tenants really share server connections: pg.Pool clients and PgBouncer server connections carry
 * one tenant's transaction after another's. In transaction mode PgBouncer's server pool is smaller than its clients'
 * pool; in session mode each client holds its server connection while it lives, so the server pool must fit them all
 * (else the last client waits for one of them to close).
 */
export const SIZES = { appPoolSize: 3, perTenantPoolSize: 1, sessionBouncerPool: 3, transactionBouncerPool: 2 } as const;
/**
 * Each database tenant has a pool of its own (one connection: perTenantPoolSize), which no other tenant can share.
 * The cap across them is above the number of database tenants, so a run measures the tenants' calls, not the
 * reconnections (a SCRAM login each) of pools closed to make room.
 */
const MAX_TENANT_CONNECTIONS = 48;

/**
 * How long a process trusts its cached catalog entry: a move's pause waits this long, so it bounds how many moves a
 * run makes. Every process of the deployment uses the same value, as the library requires.
 */
const CATALOG_CACHE_MS = 1000;

export async function startFuzzDeployment(workDir: string, log: (line: string) => void): Promise<FuzzDeployment> {
  const server = await startServer(workDir);
  const bouncers: LocalPgBouncer[] = [];
  const callers: Caller[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const admins = new Map<string, pg.Pool>();
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    for (const pool of admins.values()) await pool.end().catch(() => undefined);
    for (const bouncer of bouncers) await bouncer.stop().catch(() => undefined);
    await server.destroy();
  };
  try {
    // The provisioning process names PgBouncer's lookup password, so every tenant database it creates (by a
    // provisioning or a move) grants the lookup role CONNECT, and a PgBouncer finds its tenant roles.
    const tenancyOptions: DatabaseUrls['tenancy'] = {
      namePrefix: 'fz_',
      catalogCacheMs: CATALOG_CACHE_MS,
      pooler: { kind: 'pgbouncer', mode: 'session', authPassword: AUTH_PASSWORD },
    };
    const { urls, tenancy } = await prepareDeployment(server, workDir, tenancyOptions);
    let control = tenancy;
    closers.push(() => control.close());
    log(`PostgreSQL ${server.version} on port ${server.port}, deployment prepared`);
    for (const mode of ['session', 'transaction'] as const) {
      const bouncer = await startLocalPgBouncer({
        adminUrl: server.url(),
        authPassword: AUTH_PASSWORD,
        settings: {
          poolMode: mode,
          defaultPoolSize: mode === 'session' ? SIZES.sessionBouncerPool : SIZES.transactionBouncerPool,
          maxClientConn: 500,
          serverLoginRetry: 1,
        },
      });
      bouncers.push(bouncer);
    }
    const callerTenancy = (pooler: Pooler): AppTenancy => {
      const bouncer = pooler === 'PgBouncer session' ? bouncers[0] : pooler === 'PgBouncer transaction' ? bouncers[1] : undefined;
      return createAppTenancy({
        // A process that only serves tenants: no adminUrl.
        appUrl: bouncer ? bouncer.through(urls.appUrl) : urls.appUrl,
        contextSecret: urls.contextSecret,
        secrets: urls.tenancy!.secrets,
        namePrefix: tenancyOptions.namePrefix,
        catalogCacheMs: CATALOG_CACHE_MS,
        appPoolSize: SIZES.appPoolSize,
        perTenantPoolSize: SIZES.perTenantPoolSize,
        maxConnections: MAX_TENANT_CONNECTIONS,
        pooler: bouncer ? { kind: 'pgbouncer', mode: pooler === 'PgBouncer session' ? 'session' : 'transaction' } : { kind: 'direct' },
      });
    };
    for (const pooler of POOLERS) {
      const caller = { pooler, tenancy: callerTenancy(pooler) };
      callers.push(caller);
      closers.push(() => caller.tenancy.close());
    }
    const adminPool = (database: string | null): pg.Pool => {
      const name = database ?? '';
      let pool = admins.get(name);
      if (!pool) {
        pool = new pg.Pool({ connectionString: server.url(database ?? undefined), max: 2 });
        pool.on('error', () => undefined);
        admins.set(name, pool);
      }
      return pool;
    };
    return {
      server,
      urls,
      get control() {
        return control;
      },
      set control(next: AppTenancy) {
        control = next;
      },
      callers,
      superuser: (database, text, params = []) => adminPool(database).query(text, params),
      controlWith: (migrationsFolder) => {
        const next = createAppTenancy({
          adminUrl: urls.adminUrl,
          appUrl: urls.appUrl,
          operatorUrl: urls.operatorUrl,
          contextSecret: urls.contextSecret,
          migrationsFolder,
          ...urls.tenancy,
        });
        closers.push(() => next.close());
        return next;
      },
      poolerLog: (pooler) => {
        const bouncer = pooler === 'PgBouncer session' ? bouncers[0] : pooler === 'PgBouncer transaction' ? bouncers[1] : undefined;
        return bouncer?.bouncer.log() ?? '';
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
