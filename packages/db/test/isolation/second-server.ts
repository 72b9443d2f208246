import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeMaintenanceDatabases, findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The name the suites give the second server in the tenancy config (`servers: [{ name: SECOND, ... }]`). */
export const SECOND = 'b';

/** A throw-away PostgreSQL server of the test file's own, beside the run's shared one. */
export interface SecondCluster {
  /** The superuser's URL to `db` (default: the maintenance database). */
  url(db?: string): string;
  /** A fresh database there, for one suite. */
  createDatabase(label: string): Promise<string>;
}

/**
 * One more embedded cluster for a test file, started once before its suites and stopped after them: the server that
 * schema and database tenants are placed on when a suite runs with tenants on two servers. Call it at the top of the
 * file, before the suites, so its beforeAll runs first and its afterAll last.
 */
export function useSecondCluster(): () => SecondCluster {
  let cluster: EmbeddedCluster | undefined;
  let scratch: string | undefined;
  let made = 0;
  beforeAll(async () => {
    // mkdtemp makes a 0700 directory; the cluster adds the search bit the server user needs.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'second-server-'));
    cluster = await startEmbeddedCluster({
      dataDir: path.join(scratch, 'pg'),
      port: await findFreePort('127.0.0.1'),
      persistent: false,
      fsync: false,
      settings: { max_connections: 200 },
    });
    // As the harness does to the run's server: a tenant role may not connect to the maintenance databases.
    await closeMaintenanceDatabases(cluster.url());
  });
  afterAll(async () => {
    await cluster?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });
  return () => {
    const started = cluster;
    if (!started) throw new Error('useSecondCluster(): available only after beforeAll');
    return {
      url: (db) => started.url(db),
      createDatabase: async (label) => {
        const name = `${label.replace(/[^a-z0-9_]/g, '').slice(0, 40)}_${++made}`;
        const client = new pg.Client({ connectionString: started.url() });
        await client.connect();
        try {
          await client.query(`create database ${pg.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return name;
      },
    };
  };
}
