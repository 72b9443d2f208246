import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { findFreePort, startEmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';
import { ROLES, withClient } from './database';

/** Another PostgreSQL server for a deployment's `servers`: an embedded cluster of its own, on this machine. */
export interface SecondServer {
  /** Superuser URL of the deployment's database there (setup() installs the tenancy objects in it). */
  adminUrl: string;
  /** The app role's URL: setup() creates the role there with this password. */
  appUrl: string;
  version: string;
  close(): Promise<void>;
}

export async function startSecondServer(database: string): Promise<SecondServer> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tenancy-bench-b-'));
  try {
    const cluster = await startEmbeddedCluster({
      dataDir: path.join(scratch, 'pg'),
      port: await findFreePort('127.0.0.1'),
      persistent: false,
      // As the bench's own server: durability off, the figures measure CPU and round trips.
      fsync: false,
      settings: { max_connections: 200, shared_buffers: '128MB' },
    });
    await withClient(cluster.url('postgres'), (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
    const app = new URL(cluster.url(database));
    app.username = ROLES.app;
    app.password = INIT_SQL_DEFAULTS.appPassword;
    return {
      adminUrl: cluster.url(database),
      appUrl: app.toString(),
      version: cluster.version,
      async close() {
        await cluster.stop();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}
