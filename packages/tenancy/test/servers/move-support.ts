// Extra PostgreSQL servers for the cross-server move tests: throw-away embedded clusters beside the suite's primary
// test database, each with one database the deployment serves from. Kept small on purpose (test/servers/support.ts may
// replace it).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeMaintenanceDatabases, findFreePort, PortInUseError, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createTenancy, type Tenancy, type TenancyConfigInput } from '../../src/index';
import { APP_PASSWORD, baseConfig, roleUrl, useTenancy, type Suite } from '../support';

/** The database each extra server holds for the deployment. */
const DATABASE = 'tenancy_app';

export interface ExtraServer {
  name: string;
  /** The superuser's connection to the deployment's database there (the server's adminUrl). */
  adminUrl: string;
  /** app_user's, with the suite's password (the server's appUrl). */
  appUrl: string;
  /** A superuser pool to that database, for the tests' own look. */
  admin: pg.Pool;
  /** Stops the server for good (its data directory goes with it). */
  stop(): Promise<void>;
}

async function startOnFreePort(dataDir: string, attempts = 3): Promise<EmbeddedCluster> {
  const port = await findFreePort('127.0.0.1');
  try {
    return await startEmbeddedCluster({ dataDir, port, persistent: false, fsync: false, settings: { max_connections: 200 } });
  } catch (error) {
    if (error instanceof PortInUseError && attempts > 1) return startOnFreePort(dataDir, attempts - 1);
    throw error;
  }
}

async function startServer(name: string): Promise<ExtraServer> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), `tenancy-server-${name}-`));
  const cluster = await startOnFreePort(path.join(scratch, 'data'));
  // As the harness does for its own server: no role but a superuser connects to the maintenance databases (audit checks it).
  await closeMaintenanceDatabases(cluster.url());
  const setup = new pg.Client({ connectionString: cluster.url() });
  await setup.connect();
  await setup.query(`CREATE DATABASE ${DATABASE}`).finally(() => setup.end());
  const admin = new pg.Pool({ connectionString: cluster.url(DATABASE), max: 2 });
  admin.on('error', () => undefined);
  let stopped = false;
  return {
    name,
    adminUrl: cluster.url(DATABASE),
    appUrl: roleUrl(cluster.url(DATABASE), 'app_user', APP_PASSWORD),
    admin,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await admin.end();
      await cluster.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

export interface ServersSuite extends Suite {
  /** The extra servers by name. */
  servers: Record<string, ExtraServer>;
  /** The suite's configuration (servers included), for more instances over the same deployment. */
  config: TenancyConfigInput;
  /** Another instance over the same deployment, as another process would have (a catalog cache of its own). */
  another(extra?: Partial<TenancyConfigInput>): Tenancy;
}

/**
 * useTenancy() over the suite's primary test database plus one extra embedded cluster per name in `names`, listed in
 * `servers` (those in `shards` with shared tables); setup() creates app_user and the tenancy objects on each.
 */
export function useServers(
  label: string,
  names: readonly string[],
  overrides: Partial<TenancyConfigInput> = {},
  shards: readonly string[] = [],
): () => ServersSuite {
  const extra: Record<string, ExtraServer> = {};
  // Registered before useTenancy's hooks: the servers exist when its setup() runs, and (hooks after run in reverse) are
  // stopped after its tenancy has closed.
  beforeAll(async () => {
    for (const name of names) extra[name] = await startServer(name);
  });
  afterAll(async () => {
    for (const server of Object.values(extra)) await server.stop();
  });
  let config: TenancyConfigInput | undefined;
  const suite = useTenancy(label, (base) => {
    const servers = Object.values(extra).map(({ name, adminUrl, appUrl }) => ({ name, adminUrl, appUrl, sharedTables: shards.includes(name) }));
    config = { ...base, ...overrides, servers };
    return config;
  });
  return () => {
    const current = suite();
    const full = config!;
    return {
      ...current,
      servers: extra,
      config: full,
      another: (more = {}) => createTenancy({ ...baseConfig(current.db), ...full, ...more }),
    };
  };
}

/** What a server holds of a tenant: its schema, its database, its role, and (the primary's shared tables) its rows. */
export interface Held {
  schema: boolean;
  database: boolean;
  role: boolean;
  sharedRows: number;
}

/** What `server` (a pool to the deployment's database there) holds of the tenant named `name` with id `id`. */
export async function heldOn(server: pg.Pool, name: string, id: string): Promise<Held> {
  const { rows } = await server.query<{ schema: boolean; database: boolean; role: boolean; shared: boolean }>(
    `select exists(select 1 from pg_namespace where nspname = $1) as schema,
            exists(select 1 from pg_database where datname = $1) as database,
            exists(select 1 from pg_roles where rolname = $1) as role,
            to_regclass('public.notes') is not null as shared`,
    [name],
  );
  const { schema, database, role, shared } = rows[0]!;
  const sharedRows = shared ? (await server.query<{ n: number }>('select count(*)::int as n from public.notes where tenant_id = $1', [id])).rows[0]!.n : 0;
  return { schema, database, role, sharedRows };
}

export const NOTHING: Held = { schema: false, database: false, role: false, sharedRows: 0 };

/**
 * A writer adding one numbered row (`w<n>`) at a time through `tenancy` while `during` runs, recording those
 * acknowledged. Writes that fail are counted, not recorded: a write is only owed when it was acknowledged.
 */
export async function whileWriting<T>(
  tenancy: Tenancy,
  slug: string,
  during: () => Promise<T>,
): Promise<{ result: T; acknowledged: number[]; failed: number }> {
  let running = true;
  const acknowledged: number[] = [];
  let failed = 0;
  const writer = (async () => {
    for (let n = 1; running; n++) {
      try {
        await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ($1)`, [`w${n}`]), { role: 'admin' });
        acknowledged.push(n);
      } catch {
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result = await during();
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { result, acknowledged, failed };
  } finally {
    running = false;
    await writer;
  }
}

/** The `w<n>` rows the tenant holds, sorted by n. */
export async function written(tenancy: Tenancy, slug: string): Promise<number[]> {
  const { rows } = await tenancy.queryAs<{ body: string }>(slug, `select body from notes where body like 'w%'`);
  return rows.map((r) => Number(r.body.slice(1))).sort((a, b) => a - b);
}
