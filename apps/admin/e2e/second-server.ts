import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import type { LocalStack } from '@repo/db/local';
import { createAppTenancy } from '@repo/db/tenancy';
import { findFreePort, startEmbeddedCluster } from '@repo/localdb/cluster';
import pg from 'pg';

/** The name e2e/servers.spec.ts knows the second server by. */
export const SECOND_SERVER = 'b';

/**
 * A second PostgreSQL server for the deployment the specs run against (e2e/servers.spec.ts moves a tenant to it): an
 * embedded cluster with a database of its own, set up by the library as `tenancy setup` would, and left drained, so
 * that the other specs' new tenants stay on the primary, as they expect. Its TENANCY_SERVERS goes to both apps.
 */
export async function startSecondServer(stack: LocalStack): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'admin-e2e-server-b-'));
  // The apps run in production mode here: a published or short password in a URL of TENANCY_SERVERS is refused.
  const cluster = await startEmbeddedCluster({
    dataDir: path.join(dir, 'pg'),
    port: await findFreePort('127.0.0.1'),
    password: randomBytes(32).toString('hex'),
    persistent: false,
    fsync: false,
  });
  const stop = async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE app_b').finally(() => admin.end());
    const adminUrl = cluster.url('app_b');
    // app_user there with the same password as on the primary: setup() creates the role from the server's appUrl.
    const appUrl = new URL(adminUrl);
    const primaryApp = new URL(stack.urls.databaseUrl);
    appUrl.username = primaryApp.username;
    appUrl.password = primaryApp.password;
    // A shard of the shared tables: it takes rls tenants too.
    const servers = [{ name: SECOND_SERVER, adminUrl, appUrl: appUrl.toString(), sharedTables: true }];
    const tenancy = createAppTenancy({
      adminUrl: stack.urls.adminDatabaseUrl,
      appUrl: stack.urls.databaseUrl,
      operatorUrl: stack.urls.operatorDatabaseUrl,
      contextSecret: stack.env.TENANCY_CONTEXT_SECRET!,
      migrationsFolder: TENANT_MIGRATIONS_FOLDER,
      servers,
    });
    try {
      await tenancy.setup();
      await tenancy.setServerState(SECOND_SERVER, 'drained');
    } finally {
      await tenancy.close();
    }
    return { env: { TENANCY_SERVERS: JSON.stringify(servers) }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
