import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { requirePgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import pg from 'pg';
import { startLocalPgBouncer } from '../../src/local/pgbouncer';
import { prepareDatabase } from '../../src/prepare';
import { INIT_SQL_DEFAULTS } from '../../src/published-secrets';
import type { AppTenancy } from '../../src/tenancy';
import { suiteUrls } from '../support';
import { afterAll, beforeAll } from 'vitest';

// A database of the suite's own with the control plane migrated (the sign-in limits and sessions tables and their
// grants), and the sign-in roles' pools: app_auth (the web's) and app_operator (the admin's), direct and through a
// PgBouncer in transaction mode, which is how the Docker stack reaches them.

export interface SignInDatabase {
  db: TestDatabase;
  /** For fixtures that need a tenant (memberships reference one). */
  tenancy: AppTenancy;
  /** The superuser: fixtures and reading what really landed. */
  admin: pg.Pool;
  auth: pg.Pool;
  operator: pg.Pool;
  app: pg.Pool;
  /** app_auth through PgBouncer in transaction mode (no named prepared statements there); undefined without pgbouncer. */
  authThroughPgBouncer: pg.Pool | undefined;
}

/** Whether the PgBouncer cases can run (outside CI a missing binary skips them, in CI it fails). */
export const withPgBouncer = requirePgBouncer();

const BOUNCER_AUTH_PASSWORD = 'pgbouncer-auth-test-password';

export function useSignInDatabase(label: string): () => SignInDatabase {
  let prepared: SignInDatabase | undefined;
  let bouncer: PgBouncer | undefined;
  let closeTenancy: (() => Promise<void>) | undefined;
  const pools: pg.Pool[] = [];
  const pool = (url: string) => {
    const created = new pg.Pool({ connectionString: url, max: 2 });
    // pool.end() resolves before its connections have closed; the drop (WITH FORCE) that follows may terminate them.
    created.on('error', () => undefined);
    pools.push(created);
    return created;
  };
  beforeAll(async () => {
    const db = await createTestDatabase(label);
    const urls = suiteUrls(db, label);
    const tenancy = await prepareDatabase(urls);
    closeTenancy = () => tenancy.close();
    const admin = pool(db.url);
    if (withPgBouncer) bouncer = await startTransactionBouncer(db.url);
    prepared = {
      db,
      tenancy,
      admin,
      auth: pool(urls.authUrl),
      operator: pool(urls.operatorUrl),
      app: pool(urls.appUrl),
      authThroughPgBouncer: bouncer ? pool(bouncer.url('app_auth', INIT_SQL_DEFAULTS.authPassword, db.name)) : undefined,
    };
  });
  afterAll(async () => {
    await closeTenancy?.();
    for (const created of pools) await created.end();
    await bouncer?.stop();
    await prepared?.db.drop();
  });
  return () => {
    if (!prepared) throw new Error('useSignInDatabase(): available only after beforeAll');
    return prepared;
  };
}

/** A PgBouncer in transaction mode with one server connection, and auth_query's lookup in this suite's database. */
async function startTransactionBouncer(databaseUrl: string): Promise<PgBouncer> {
  const local = await startLocalPgBouncer({
    adminUrl: databaseUrl,
    authPassword: BOUNCER_AUTH_PASSWORD,
    settings: { poolMode: 'transaction', defaultPoolSize: 1, serverLoginRetry: 1 },
    lookupIn: 'this-database',
  });
  return local.bouncer;
}
