import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeMaintenanceDatabases, findFreePort, PortInUseError, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { createTestDatabase } from '@repo/localdb/harness';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTenancy, TenantNotFoundError, type PlacementPolicy, type Tenancy, type TenancyConfigInput, type Tenant } from '../../src/index';
import { APP_PASSWORD, baseConfig, dropClusterObjects, roleUrl, type Suite } from '../support';

/** The database each extra server holds for the suite's deployment (each cluster is the suite's own). */
const SERVER_DATABASE = 'tenancy_servers';
/** Names of the extra servers, in order: the tests say "b" for the first. */
export const SERVER_NAMES = ['b', 'c'] as const;

export interface ExtraServer {
  name: string;
  /** The running cluster (a new object after start()). */
  cluster: EmbeddedCluster;
  /** Superuser URL to the deployment's database there. */
  adminUrl: string;
  /** app_user URL to the same database. */
  appUrl: string;
  /** Superuser URL to another database of that cluster (default: postgres), to look at what it holds. */
  url(db?: string): string;
  /** A superuser pool to the deployment's database there, for the tests' own look (it reconnects after a restart). */
  admin: pg.Pool;
  /** Stops the cluster (fast shutdown); its data stays for start(). */
  stop(): Promise<void>;
  /** Starts the cluster again on the same data directory and port. */
  start(): Promise<void>;
}

export interface ServersSuite extends Suite {
  /** The primary's name in the config (`primaryName`). */
  primary: string;
  servers: ExtraServer[];
  /** An extra server by name. */
  server(name: string): ExtraServer;
  /** The config the suite's tenancy was made with: another process of the same deployment spreads it and overrides. */
  config: TenancyConfigInput;
}

export interface UseServersOptions {
  /** Extra servers besides the primary (named b, c). Default 1. */
  extra?: 1 | 2;
  /** The extra servers that hold a shard of the shared tables (rls tenants). Default none. */
  shards?: readonly string[];
  label?: string;
  /** Over the base config, which already names the extra servers; may be computed from it. */
  overrides?: Partial<TenancyConfigInput> | ((base: TenancyConfigInput) => Partial<TenancyConfigInput>);
}

/**
 * The suite's primary test database (as useTenancy makes it) plus `extra` embedded PostgreSQL clusters of the suite's
 * own, each named in `servers` with a database for the deployment. setup() has run. Clusters start once per file (each
 * takes seconds) and go, data directory and all, in afterAll.
 */
export function useServers(options: UseServersOptions = {}): () => ServersSuite {
  let suite: ServersSuite | undefined;
  const extras: ExtraServer[] = [];
  beforeAll(async () => {
    const db = await createTestDatabase(options.label ?? 'servers');
    extras.push(...(await Promise.all(SERVER_NAMES.slice(0, options.extra ?? 1).map((name) => startServer(name)))));
    const base: TenancyConfigInput = {
      ...baseConfig(db),
      servers: extras.map((s) => ({ name: s.name, adminUrl: s.adminUrl, appUrl: s.appUrl, sharedTables: (options.shards ?? []).includes(s.name) })),
      // A server that accepts connections and never answers fails requests after this, instead of never.
      connectTimeoutMs: 5_000,
    };
    const overrides = typeof options.overrides === 'function' ? options.overrides(base) : (options.overrides ?? {});
    const config = { ...base, ...overrides };
    const tenancy = createTenancy(config);
    await tenancy.setup();
    const admin = new pg.Pool({ connectionString: db.url, max: 2 });
    admin.on('error', () => undefined);
    const server = (name: string) => {
      const found = extras.find((s) => s.name === name);
      if (!found) throw new Error(`useServers(): no extra server named ${name}`);
      return found;
    };
    suite = { db, tenancy, admin, primary: tenancy.config.primaryName, servers: extras, server, config };
  });
  afterAll(async () => {
    if (suite) {
      await suite.tenancy.close();
      await suite.admin.end();
      await suite.db.drop();
      await dropClusterObjects(suite.db, suite.tenancy.config.namePrefix);
    }
    await Promise.all(extras.map((s) => removeServer(s)));
  });
  return () => {
    if (!suite) throw new Error('useServers(): available only after beforeAll');
    return suite;
  };
}

// Each server keeps its data directory across stop() and start() (persistent), and removeServer deletes it.
async function startServer(name: string): Promise<ExtraServer> {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), `tenancy-server-${name}-`)), 'data');
  let port = await findFreePort('127.0.0.1');
  // More connections than the default 100: the move and pool tests hold many per-tenant pools at once.
  const open = () => startEmbeddedCluster({ dataDir, port, persistent: true, fsync: false, settings: { max_connections: 200 } });
  let cluster: EmbeddedCluster | undefined;
  // Another process may take the free port before the server binds it; start() later reuses the port that worked.
  for (let attempt = 1; !cluster; attempt++) {
    try {
      cluster = await open();
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt === 3) throw error;
      port = await findFreePort('127.0.0.1');
    }
  }
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${SERVER_DATABASE}`);
  } finally {
    await client.end();
  }
  // As the harness does for the primary's cluster: a fresh cluster lets every role into postgres and template1, which
  // audit() rightly reports for database tenants' roles.
  await closeMaintenanceDatabases(cluster.url());
  const adminUrl = cluster.url(SERVER_DATABASE);
  const admin = new pg.Pool({ connectionString: adminUrl, max: 2 });
  // A stopped server ends the pool's idle connections: not an error of the test.
  admin.on('error', () => undefined);
  const server: ExtraServer = {
    name,
    cluster,
    adminUrl,
    appUrl: roleUrl(adminUrl, 'app_user', APP_PASSWORD),
    url: (db) => server.cluster.url(db),
    admin,
    stop: () => server.cluster.stop(),
    start: async () => {
      server.cluster = await open();
    },
  };
  return server;
}

async function removeServer(server: ExtraServer): Promise<void> {
  await server.admin.end();
  await server.cluster.stop();
  await rm(path.dirname(server.cluster.dataDir), { recursive: true, force: true });
}

/** Runs `sql` as the superuser on a database of an extra server (default: the deployment's there). */
export async function onServer<R extends pg.QueryResultRow>(server: ExtraServer, sql: string, params: unknown[] = [], db = SERVER_DATABASE) {
  const client = new pg.Client({ connectionString: server.url(db) });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Another process of the suite's deployment (same names, secrets and servers) with `overrides`. */
export function anotherProcess(suite: ServersSuite, overrides: Partial<TenancyConfigInput> = {}): Tenancy {
  return createTenancy({ ...suite.config, ...overrides });
}

/**
 * The servers whose clusters physically hold objects named with the deployment's prefix: schemas in the deployment's
 * database there and databases; what a placement check compares with the catalog.
 */
export async function placementsBy(suite: ServersSuite): Promise<Map<string, { schemas: string[]; databases: string[] }>> {
  const prefix = suite.tenancy.config.namePrefix;
  const like = `${prefix.replace(/_/g, '\\_')}%`;
  const schemasSql = 'SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1';
  // The template database is the deployment's, not a tenant's.
  const databasesSql = "SELECT datname AS name FROM pg_database WHERE datname LIKE $1 AND NOT datistemplate AND datname NOT LIKE '%template%' ORDER BY 1";
  const names = (rows: { name: string }[]) => rows.map((r) => r.name);
  const result = new Map<string, { schemas: string[]; databases: string[] }>();
  result.set(suite.primary, {
    schemas: names((await suite.admin.query<{ name: string }>(schemasSql, [like])).rows),
    databases: names((await suite.admin.query<{ name: string }>(databasesSql, [like])).rows),
  });
  for (const server of suite.servers) {
    result.set(server.name, {
      schemas: names(await onServer<{ name: string }>(server, schemasSql, [like])),
      databases: names(await onServer<{ name: string }>(server, databasesSql, [like], 'postgres')),
    });
  }
  return result;
}

/** The servers holding a schema or database tenant's placement (its schema, or its database). */
export async function serversHolding(suite: ServersSuite, tenant: Tenant): Promise<string[]> {
  const all = await placementsBy(suite);
  return [...all]
    .filter(([, held]) => (tenant.databaseName ? held.databases.includes(tenant.databaseName) : held.schemas.includes(tenant.schemaName)))
    .map(([name]) => name);
}

/** Every name the deployment's prefix has made on every server, to show a refused createTenant made nothing. */
async function everything(s: ServersSuite) {
  return { catalog: (await s.tenancy.listTenants()).map((t) => t.slug).sort(), placed: await placementsBy(s) };
}

/** A refused createTenant: the error, and neither a catalog row nor a schema or database on any server. */
export async function refusedAndNothingMade(s: ServersSuite, attempt: () => Promise<unknown>, error: new (...args: never[]) => Error, slug: string) {
  const before = await everything(s);
  await expect(attempt()).rejects.toThrow(error);
  await expect(s.tenancy.getTenant(slug)).rejects.toThrow(TenantNotFoundError);
  expect(await everything(s)).toEqual(before);
}

/** A placement policy that records the candidates it is offered (by name) and picks the last. */
export function recordingPolicy(seen: string[][]): PlacementPolicy {
  return (candidates) => {
    seen.push(candidates.map((c) => c.name));
    return candidates.at(-1)!.name;
  };
}
