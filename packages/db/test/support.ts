import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { FileSecretsProvider, type Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { INIT_SQL_DEFAULTS } from '../src/init-sql/generate';
import { prepareDatabase, type DatabaseUrls } from '../src/prepare';
import type { AppTenancy } from '../src/tenancy';
import { SECOND, type SecondCluster } from './isolation/second-server';

export function roleUrl(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** A server's database of one suite, as the superuser: where its tenants' tables can be read directly. */
export interface SuiteServer {
  url: string;
  /** The same server and credentials, another database (default: the maintenance database). */
  serverUrl(dbName?: string): string;
  name: string;
}

/** The suite's database on the second server, with a superuser pool to it like `admin` on the primary. */
export interface SecondServerDatabase extends SuiteServer {
  admin: pg.Pool;
}

export interface PreparedDatabase {
  /** The primary's database: the catalog, the shared tables, the control plane. */
  db: TestDatabase;
  /** The suite's database on the second server (config name SECOND), when its tenants are placed on two servers. */
  second?: SecondServerDatabase;
  urls: DatabaseUrls;
  tenancy: AppTenancy;
  /** Superuser pool: only for arranging fixtures and reading what really landed. */
  admin: pg.Pool;
}

/** A suite database's URLs as the roles init.sql creates, with secrets and names of the suite's own. */
export function suiteUrls(db: TestDatabase, label: string, overrides: DatabaseUrls['tenancy'] = {}): DatabaseUrls {
  return {
    adminUrl: db.url,
    appUrl: roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword),
    operatorUrl: roleUrl(db.url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authUrl: roleUrl(db.url, 'app_auth', INIT_SQL_DEFAULTS.authPassword),
    contextSecret: INIT_SQL_DEFAULTS.contextSecret,
    // Tenant databases and roles are cluster-wide: a prefix per suite keeps parallel suites apart.
    tenancy: {
      secrets: new FileSecretsProvider(path.join(mkdtempSync(path.join(os.tmpdir(), 'secrets-')), 'secrets.json')),
      namePrefix: suitePrefix(label),
      ...overrides,
    },
  };
}

/**
 * A fresh database with the tenancy schema, tenant tables and control plane, per suite. Given a second cluster, the
 * suite also gets a database there, configured as server SECOND, which setup() prepares like the primary's.
 */
export function usePreparedDatabase(label: string, overrides: DatabaseUrls['tenancy'] = {}, cluster?: () => SecondCluster): () => PreparedDatabase {
  let prepared: PreparedDatabase | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const second = cluster ? await secondServerDatabase(cluster(), label) : undefined;
    const urls = suiteUrls(db, label, { ...(second ? secondServerConfig(second.url) : {}), ...overrides });
    const tenancy = await prepareDatabase(urls);
    prepared = { db, urls, tenancy, admin: suiteAdminPool(db.url), ...(second ? { second } : {}) };
  });
  afterAll(async () => {
    await prepared?.tenancy.close();
    await prepared?.admin.end();
    await prepared?.second?.admin.end();
    await prepared?.db.drop();
  });
  return () => {
    if (!prepared) throw new Error('usePreparedDatabase(): available only after beforeAll');
    return prepared;
  };
}

/** A database of the suite's own on the second cluster (its tenant databases are made beside it). */
export async function secondServerDatabase(cluster: SecondCluster, label: string): Promise<SecondServerDatabase> {
  const name = await cluster.createDatabase(label);
  return { url: cluster.url(name), serverUrl: (dbName) => cluster.url(dbName), name, admin: suiteAdminPool(cluster.url(name)) };
}

/**
 * The tenancy config naming the second server: its owner and app_user connections (setup() creates app_user there). It
 * holds a shard of the shared tables, so the suites place rls tenants on it too.
 */
export function secondServerConfig(adminUrl: string, appUrl = roleUrl(adminUrl, 'app_user', INIT_SQL_DEFAULTS.appPassword)): DatabaseUrls['tenancy'] {
  return { servers: [{ name: SECOND, adminUrl, appUrl, sharedTables: true }] };
}

/** A short, per-suite prefix for tenant schemas, databases and roles (cluster-wide names). */
export function suitePrefix(label: string): string {
  return `${label.replace(/[^a-z0-9]/g, '').slice(0, 8)}${Math.random().toString(36).slice(2, 6)}_`.replace(/^[^a-z]/, 'x');
}

/** A row in every tenant table: a project, task and comment as the tenant's admin (each logged), and a support request. */
export async function writeOneOfEach(tenancy: AppTenancy, tenant: Tenant): Promise<void> {
  await tenancy.withTenant(
    tenant.slug,
    async (tx) => {
      const project = await tx.query<{ id: string }>(`insert into projects (name) values ('p') returning id`);
      const task = await tx.query<{ id: string }>(`insert into tasks (project_id, title) values ($1, 't') returning id`, [project.rows[0]!.id]);
      await tx.query(`insert into comments (task_id, body) values ($1, 'c')`, [task.rows[0]!.id]);
    },
    { role: 'admin' },
  );
  await tenancy.queryAs(tenant.slug, `select support_access_request('ops@support.test', 'a ticket')`, [], { role: 'support', userId: randomUUID() });
}

/**
 * A suite's superuser pool. pool.end() resolves before its connections have closed, and the drop (WITH FORCE) that
 * follows may terminate them: without a listener the pool re-emits that as an uncaught error.
 */
export function suiteAdminPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
