/**
 * `npm run db:init-sql`: regenerates <repo>/init.sql. Starts a throw-away embedded PostgreSQL (or
 * uses TEST_DATABASE_URL's server), records setup + migrations + seed, and writes the script.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { findFreePort, startEmbeddedCluster } from '@repo/localdb/cluster';
import { generateInitSql } from './generate';

export const INIT_SQL_PATH = fileURLToPath(new URL('../../../../init.sql', import.meta.url));

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'init-sql-'));
  const cluster = await startEmbeddedCluster({ dataDir: path.join(dir, 'pg'), port: await findFreePort('127.0.0.1'), persistent: false, fsync: false });
  try {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE saas');
    await admin.end();
    await writeFile(INIT_SQL_PATH, await generateInitSql(cluster.url('saas')));
    console.log(`wrote ${INIT_SQL_PATH}`);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
