import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { appEnvironment, devUrls, loadDevConfig, type DevUrls } from '../dev/config.js';
import { afterDatabaseReady } from '../dev/hooks.js';
import { applyInitSqlOnce } from '../dev/init-sql-once.js';
import { devPaths } from '../dev/paths.js';

export interface LocalStack {
  cluster: EmbeddedCluster;
  urls: DevUrls;
  /** The environment the apps get from `npm run dev` (DATABASE_URL, secrets...), pointing at this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A throw-away copy of what `npm run dev` starts, for e2e tests and benchmarks: an embedded
 * PostgreSQL in a temporary directory on a free port, init.sql applied, the dev hook run (seeded
 * database tenants included). Same steps as the dev runner, so the tests exercise them too.
 */
export async function startLocalStack(options: { env?: NodeJS.ProcessEnv } = {}): Promise<LocalStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'local-stack-'));
  const paths = { ...devPaths(), pgData: path.join(dir, 'pg'), initializedMarker: path.join(dir, 'initialized') };
  const cluster = await startEmbeddedCluster({ dataDir: paths.pgData, port: await findFreePort('127.0.0.1'), persistent: false, fsync: false });
  const stop = async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await applyInitSqlOnce(paths, (db) => cluster.url(db));
    const config = loadDevConfig(options.env ?? process.env);
    const urls = devUrls((db) => cluster.url(db));
    await afterDatabaseReady(urls, config);
    return { cluster, urls, env: appEnvironment(config, urls), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
