import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { appEnvironment, devUrls, loadDevConfig, type DevUrls } from './config';
import { afterDatabaseReady } from './hooks';
import { applyInitSqlOnce } from './init-sql-once';
import { devPaths } from './paths';

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
 *
 * Unlike `npm run dev`, every secret is generated for this stack: the superuser's and the runtime roles' passwords
 * and the apps' keys. The apps run their production builds against it, and a production process refuses the
 * published dev values (src/env.ts); the dev hook gives the roles these passwords (tenancy.setup(), app_auth's
 * verifier) and re-keys the tenant context, as the Docker setup does with a real .env.
 */
export async function startLocalStack(options: { env?: NodeJS.ProcessEnv } = {}): Promise<LocalStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'local-stack-'));
  const paths = { ...devPaths(), pgData: path.join(dir, 'pg'), initializedMarker: path.join(dir, 'initialized') };
  const cluster = await startEmbeddedCluster({
    dataDir: paths.pgData,
    port: await findFreePort('127.0.0.1'),
    password: generatedSecret(),
    persistent: false,
    fsync: false,
  });
  const stop = async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await applyInitSqlOnce(paths, (db) => cluster.url(db));
    const config = loadDevConfig({
      ...(options.env ?? process.env),
      NEXTAUTH_SECRET: generatedSecret(),
      TENANCY_CONTEXT_SECRET: generatedSecret(),
      TENANCY_SECRETS_KEY: generatedSecret(),
    });
    const dev = devUrls((db) => cluster.url(db));
    const urls: DevUrls = {
      adminDatabaseUrl: dev.adminDatabaseUrl,
      databaseUrl: withPassword(dev.databaseUrl, generatedSecret()),
      operatorDatabaseUrl: withPassword(dev.operatorDatabaseUrl, generatedSecret()),
      authDatabaseUrl: withPassword(dev.authDatabaseUrl, generatedSecret()),
    };
    await afterDatabaseReady(urls, config);
    return { cluster, urls, env: appEnvironment(config, urls), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What `openssl rand -hex 32` gives: hex, so it goes into a connection URL unescaped. */
function generatedSecret(): string {
  return randomBytes(32).toString('hex');
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}
