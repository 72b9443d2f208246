import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { applyInitSqlOnce, devPaths } from '@repo/db/local';
import { prepareDatabase, type DatabaseUrls } from '@repo/db/prepare';
import type { AppTenancy } from '@repo/db/tenancy';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster, type ServerSettings } from '@repo/localdb/cluster';
import { FileSecretsProvider } from '@repo/tenancy';
import { ROOT } from '../config';

/** The database init.sql creates and the apps use. */
export const DATABASE = 'saas';

/** The PostgreSQL version every server of this run reported; the report carries it. */
export const seenVersions = new Set<string>();

/**
 * A throw-away embedded PostgreSQL of one part's own, with init.sql applied to `saas`. Unlike a test
 * database it can be stopped and started again on the same data directory and port, as a fault.
 */
export interface ReliabilityServer {
  /** Superuser URL of `db` (default `saas`). */
  url(db?: string): string;
  port: number;
  version: string;
  dataDir: string;
  /** Stops the postmaster (fast shutdown: every connection is cut) and resolves once it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  destroy(): Promise<void>;
}

export async function startServer(workDir: string, settings: ServerSettings = {}): Promise<ReliabilityServer> {
  const dir = await mkdtemp(path.join(workDir, 'pg-'));
  const dataDir = path.join(dir, 'data');
  const port = await findFreePort('127.0.0.1');
  const options = { dataDir, port, persistent: true, fsync: false, settings: { max_connections: 400, ...settings } };
  let cluster: EmbeddedCluster | undefined = await startEmbeddedCluster(options);
  seenVersions.add(cluster.version);
  await applyInitSqlOnce({ ...devPaths(ROOT), pgData: dataDir, initializedMarker: path.join(dir, 'initialized') }, (db) => cluster!.url(db));
  const server: ReliabilityServer = {
    url: (db = DATABASE) => cluster?.url(db) ?? stoppedUrl(port, db),
    port,
    version: cluster.version,
    dataDir,
    stop: async () => {
      await cluster?.stop();
      cluster = undefined;
    },
    start: async () => {
      if (cluster) return;
      cluster = await startEmbeddedCluster(options);
    },
    destroy: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

function stoppedUrl(port: number, db: string): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${db}`;
}

export function roleUrl(superuserUrl: string, role: string, password: string): string {
  const url = new URL(superuserUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** The four URLs and the context key of a deployment on `server`, as the roles init.sql creates. */
export function deploymentUrls(server: ReliabilityServer, workDir: string, tenancy: DatabaseUrls['tenancy'] = {}): DatabaseUrls {
  const url = server.url();
  return {
    adminUrl: url,
    appUrl: roleUrl(url, 'app_user', INIT_SQL_DEFAULTS.appPassword),
    operatorUrl: roleUrl(url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authUrl: roleUrl(url, 'app_auth', INIT_SQL_DEFAULTS.authPassword),
    contextSecret: INIT_SQL_DEFAULTS.contextSecret,
    tenancy: { secrets: new FileSecretsProvider(path.join(workDir, 'secrets.json')), ...tenancy },
  };
}

/** The product's own start-up steps (tenancy schema, control plane, job queue) on `server`. */
export async function prepareDeployment(
  server: ReliabilityServer,
  workDir: string,
  tenancy: DatabaseUrls['tenancy'] = {},
): Promise<{ urls: DatabaseUrls; tenancy: AppTenancy }> {
  const urls = deploymentUrls(server, workDir, tenancy);
  return { urls, tenancy: await prepareDatabase(urls) };
}
