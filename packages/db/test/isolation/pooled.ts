import { createTestDatabase } from '@repo/localdb/harness';
import type { PgBouncer } from '@repo/localdb/pgbouncer';
import type { Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { INIT_SQL_DEFAULTS } from '../../src/init-sql/generate';
import { startLocalPgBouncer } from '../../src/local/pgbouncer';
import { prepareDatabase } from '../../src/prepare';
import { roleUrl, secondServerConfig, secondServerDatabase, suiteAdminPool, suiteUrls, type PreparedDatabase } from '../support';
import { SECOND, type SecondCluster } from './second-server';

export const POOLERS = ['pg.Pool', 'PgBouncer session', 'PgBouncer transaction'] as const;
export type Pooler = (typeof POOLERS)[number];

const AUTH_PASSWORD = 'pgbouncer_auth_dev';

export interface PooledDatabase extends PreparedDatabase {
  pooler: Pooler;
  /** Every client connection the library opened, in order: the suite reaches the pooled one while it is idle. */
  clients: pg.Client[];
  bouncer?: PgBouncer;
  /** The second server's own PgBouncer, in front of it as the primary's is in front of the primary. */
  secondBouncer?: PgBouncer;
}

/**
 * A deployment whose tenant transactions all share ONE server connection per database: a pool of
 * one client, and through PgBouncer a server pool of one. Setup and fixtures go direct. Given a second
 * cluster, the suite gets a database there too (server SECOND), behind a PgBouncer of its own.
 */
export function usePooledDatabase(label: string, pooler: Pooler, cluster?: () => SecondCluster): () => PooledDatabase {
  let prepared: PooledDatabase | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const second = cluster ? await secondServerDatabase(cluster(), label) : undefined;
    const clients: pg.Client[] = [];
    const Capturing = class extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        clients.push(this);
      }
    };
    const mode = pooler === 'PgBouncer session' ? 'session' : 'transaction';
    const bouncer = pooler === 'pg.Pool' ? undefined : await startBouncer(db.url, mode);
    const secondBouncer = pooler === 'pg.Pool' || !second ? undefined : await startBouncer(second.url, mode);
    // A name of the app's own, which the next caller must find again whatever the attacker set (PgBouncer included).
    const named = (url: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=tenancy_app`;
    /** app_user's URL to a server's database: through that server's PgBouncer when there is one. */
    const appUrlOf = (adminUrl: string, name: string, through?: PgBouncer) =>
      named(through ? through.url('app_user', INIT_SQL_DEFAULTS.appPassword, name) : roleUrl(adminUrl, 'app_user', INIT_SQL_DEFAULTS.appPassword));
    const urls = {
      ...suiteUrls(db, label, {
        ...(second ? secondServerConfig(second.url, appUrlOf(second.url, second.name, secondBouncer)) : {}),
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
      appUrl: appUrlOf(db.url, db.name, bouncer),
    };
    const tenancy = await prepareDatabase(urls);
    prepared = {
      db,
      urls,
      tenancy,
      admin: suiteAdminPool(db.url),
      pooler,
      clients,
      ...(bouncer ? { bouncer } : {}),
      ...(second ? { second } : {}),
      ...(secondBouncer ? { secondBouncer } : {}),
    };
  });
  afterAll(async () => {
    await prepared?.tenancy.close();
    await prepared?.bouncer?.stop();
    await prepared?.secondBouncer?.stop();
    await prepared?.admin.end();
    await prepared?.second?.admin.end();
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
  const onSecond = tenant.server === SECOND;
  const database = tenant.databaseName ?? (onSecond ? prepared.second!.name : prepared.db.name);
  const user = tenant.strategy === 'database' ? tenant.roleName! : 'app_user';
  // Both servers may hold a database of that name: the port (the server's, or its PgBouncer's) tells them apart.
  const port = Number(new URL(onSecond ? secondAppUrl(prepared) : prepared.urls.appUrl).port);
  const open = prepared.clients.filter((c) => {
    const params = c as unknown as { database: string; user: string; port: number; _ending: boolean };
    return params.database === database && params.user === user && params.port === port && !params._ending;
  });
  if (open.length !== 1) throw new Error(`expected one pooled connection of ${user} to ${database}, found ${open.length}`);
  return open[0]!;
}

function secondAppUrl(prepared: PooledDatabase): string {
  const server = prepared.urls.tenancy?.servers?.find((s) => s.name === SECOND);
  if (!server) throw new Error(`this suite has no server "${SECOND}"`);
  return server.appUrl;
}
