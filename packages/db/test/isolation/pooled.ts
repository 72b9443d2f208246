import { createTestDatabase } from '@repo/localdb/harness';
import type { PgBouncer } from '@repo/localdb/pgbouncer';
import type { Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { INIT_SQL_DEFAULTS } from '../../src/init-sql/generate';
import { startLocalPgBouncer } from '../../src/local/pgbouncer';
import { prepareDatabase } from '../../src/prepare';
import { roleUrl, suiteAdminPool, suiteUrls, type PreparedDatabase } from '../support';

export const POOLERS = ['pg.Pool', 'PgBouncer session', 'PgBouncer transaction'] as const;
export type Pooler = (typeof POOLERS)[number];

const AUTH_PASSWORD = 'pgbouncer_auth_dev';

export interface PooledDatabase extends PreparedDatabase {
  pooler: Pooler;
  /** Every client connection the library opened, in order: the suite reaches the pooled one while it is idle. */
  clients: pg.Client[];
  bouncer?: PgBouncer;
}

/**
 * A deployment whose tenant transactions all share ONE server connection per database: a pool of
 * one client, and through PgBouncer a server pool of one. Setup and fixtures go direct.
 */
export function usePooledDatabase(label: string, pooler: Pooler): () => PooledDatabase {
  let prepared: PooledDatabase | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const clients: pg.Client[] = [];
    const Capturing = class extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        clients.push(this);
      }
    };
    const bouncer = pooler === 'pg.Pool' ? undefined : await startBouncer(db.url, pooler === 'PgBouncer session' ? 'session' : 'transaction');
    const direct = roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword);
    // A name of the app's own, which the next caller must find again whatever the attacker set (PgBouncer included).
    const named = (url: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=tenancy_app`;
    const urls = {
      ...suiteUrls(db, label, {
        appPoolSize: 1,
        perTenantPoolSize: 1,
        clientClass: Capturing,
        ...(bouncer
          ? {
              pooler: {
                kind: 'pgbouncer' as const,
                mode: pooler === 'PgBouncer session' ? ('session' as const) : ('transaction' as const),
                authPassword: AUTH_PASSWORD,
              },
            }
          : {}),
      }),
      appUrl: named(bouncer ? bouncer.url('app_user', INIT_SQL_DEFAULTS.appPassword, db.name) : direct),
    };
    const tenancy = await prepareDatabase(urls);
    prepared = { db, urls, tenancy, admin: suiteAdminPool(db.url), pooler, clients, ...(bouncer ? { bouncer } : {}) };
  });
  afterAll(async () => {
    await prepared?.tenancy.close();
    await prepared?.bouncer?.stop();
    await prepared?.admin.end();
    await prepared?.db.drop();
  });
  return () => {
    if (!prepared) throw new Error('usePooledDatabase(): available only after beforeAll');
    return prepared;
  };
}

async function startBouncer(serverUrl: string, mode: 'session' | 'transaction'): Promise<PgBouncer> {
  const local = await startLocalPgBouncer({
    adminUrl: serverUrl,
    authPassword: AUTH_PASSWORD,
    settings: { poolMode: mode, defaultPoolSize: 1, serverLoginRetry: 1 },
    lookupIn: 'this-database',
  });
  return local.bouncer;
}

/** The library's client connection that serves `tenant`, found among the captured ones (it is idle between calls). */
export function pooledClientFor(prepared: PooledDatabase, tenant: Tenant): pg.Client {
  const database = tenant.databaseName ?? prepared.db.name;
  const user = tenant.strategy === 'database' ? tenant.roleName! : 'app_user';
  const open = prepared.clients.filter((c) => {
    const params = c as unknown as { database: string; user: string; _ending: boolean };
    return params.database === database && params.user === user && !params._ending;
  });
  if (open.length !== 1) throw new Error(`expected one pooled connection of ${user} to ${database}, found ${open.length}`);
  return open[0]!;
}
