import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createTenancy, FileSecretsProvider, type Tenancy, type TenancyConfigInput } from '../src/index';

export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
export const CONTEXT_SECRET = 'test-context-secret-0123456789-abcdefghij';
export const APP_PASSWORD = 'app_user_dev';

export function roleUrl(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

export function baseConfig(db: TestDatabase): TenancyConfigInput {
  return {
    adminUrl: db.url,
    appUrl: roleUrl(db.url, 'app_user', APP_PASSWORD),
    contextSecret: CONTEXT_SECRET,
    migrationsFolder: FIXTURE_MIGRATIONS,
    tenantTables: ['notes'],
    contextRoles: { maintenance: 'admin', default: 'viewer' },
    // Short, so lifecycle tests (which wait out other processes' catalog caches) stay quick.
    catalogCacheMs: 200,
    // Tenant databases and roles are cluster-wide: a prefix per database keeps parallel suites apart.
    namePrefix: `${db.name.replace(/[^a-z0-9]/g, '').slice(-10)}_`.replace(/^[^a-z]/, 'x'),
    secrets: new FileSecretsProvider(path.join(mkdtempSync(path.join(os.tmpdir(), 'tenancy-secrets-')), 'secrets.json')),
  };
}

export interface Suite {
  db: TestDatabase;
  tenancy: Tenancy;
  admin: pg.Pool;
}

/**
 * A fresh database per suite with the library set up over the fixture `notes` table. `overrides`
 * may be computed from the suite's base config (to name roles after its namePrefix).
 */
export function useTenancy(
  label: string,
  overrides: Partial<TenancyConfigInput> | ((base: TenancyConfigInput) => Partial<TenancyConfigInput>) = {},
): () => Suite {
  let suite: Suite | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const base = baseConfig(db);
    const tenancy = createTenancy({ ...base, ...(typeof overrides === 'function' ? overrides(base) : overrides) });
    await tenancy.setup();
    const admin = new pg.Pool({ connectionString: db.url, max: 2 });
    // pool.end() resolves before its connections have closed, and the drop (WITH FORCE) that follows may terminate
    // them: without a listener the pool re-emits that as an uncaught error (CI once failed the run on it).
    admin.on('error', () => undefined);
    suite = { db, tenancy, admin };
  });
  afterAll(async () => {
    if (!suite) return;
    await suite.tenancy.close();
    await suite.admin.end();
    await suite.db.drop();
    await dropClusterObjects(suite.db, suite.tenancy.config.namePrefix);
  });
  return () => {
    if (!suite) throw new Error('useTenancy(): available only after beforeAll');
    return suite;
  };
}

/**
 * Tenant databases and roles outlive the suite's database; a server given by TEST_DATABASE_URL must not collect them.
 * Each DROP DATABASE waits for a checkpoint (about 0.6 s here), so 200 of them one after the other outlast the hook's
 * minute: a few connections drop them side by side, and the server serves their checkpoint requests together.
 */
export async function dropClusterObjects(db: TestDatabase, prefix: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: db.serverUrl(), max: 8 });
  try {
    const like = `${prefix.replace(/_/g, '\\_')}%`;
    const { rows: dbs } = await pool.query<{ name: string }>('select datname as name from pg_database where datname like $1', [like]);
    await Promise.all(dbs.map(({ name }) => pool.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`)));
    const { rows: roles } = await pool.query<{ name: string }>('select rolname as name from pg_roles where rolname like $1', [like]);
    for (const { name } of roles) await pool.query(`drop role if exists ${pg.escapeIdentifier(name)}`);
  } finally {
    await pool.end();
  }
}
