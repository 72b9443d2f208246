import path from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { uniqueDatabaseName } from './database-name';
import { withDatabase } from './pg-url';
import { PROVIDED_KEY, type ProvidedServer, type ServerKind } from './provided';
import { quoteIdent, withClient } from './sql';

export type { ServerKind } from './provided';

export interface TestDatabase {
  /** Superuser (or TEST_DATABASE_URL's role) connection to this suite's fresh database. */
  url: string;
  /** The same server and credentials, another database (default: the maintenance database). */
  serverUrl(dbName?: string): string;
  name: string;
  kind: ServerKind;
  /** Drops the database, closing any connection still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A database of its own for the calling suite, cloned from the run's template, so suites can
 * run in parallel without seeing each other's rows. Needs the global setup:
 * `globalSetup: ['@repo/localdb/vitest-global-setup']` (see packages/localdb/vitest.config.ts).
 */
export async function createTestDatabase(label?: string): Promise<TestDatabase> {
  const server = providedServer();
  const name = uniqueDatabaseName('t', label ?? currentTestFile());
  await withClient(server.serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(server.template)}`));
  let dropped: Promise<void> | undefined;
  return {
    url: withDatabase(server.serverUrl, name),
    serverUrl: (dbName) => (dbName === undefined ? server.serverUrl : withDatabase(server.serverUrl, dbName)),
    name,
    kind: server.kind,
    drop: () => (dropped ??= dropDatabase(server.serverUrl, name)),
  };
}

/** Runs `work` with a fresh database and drops it afterwards, also when `work` throws. */
export async function withTestDatabase<T>(work: (db: TestDatabase) => Promise<T>, label?: string): Promise<T> {
  const db = await createTestDatabase(label);
  try {
    return await work(db);
  } finally {
    await db.drop();
  }
}

/**
 * One database per suite through beforeAll/afterAll. Call it at the top of a test file; the
 * returned getter works inside tests and hooks that run after beforeAll.
 */
export function useTestDatabase(label?: string): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(label);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('useTestDatabase(): the database exists only inside tests and hooks after beforeAll.');
    return db;
  };
}

function providedServer(): ProvidedServer {
  const server = inject(PROVIDED_KEY);
  if (!server) {
    throw new Error(
      "No test database server: add `globalSetup: ['@repo/localdb/vitest-global-setup']` (or your own createDatabaseGlobalSetup file) to this package's vitest config.",
    );
  }
  return server;
}

function currentTestFile(): string {
  const file = expect.getState().testPath;
  return file ? path.basename(file).replace(/\.(test|spec)\.[cm]?[jt]sx?$/, '') : 'test';
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}
