import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { TenancyConfigInput } from '@repo/tenancy';
import { ensureAuthRole } from './auth/role';
import { withClient } from './client';
import { installJobQueue } from './queue/install';
import { CONTROL_MIGRATIONS_FOLDER, TENANT_MIGRATIONS_FOLDER } from './migrations';
import { createAppTenancy, type AppTenancy } from './tenancy';

export interface DatabaseUrls {
  adminUrl: string;
  appUrl: string;
  operatorUrl: string;
  /**
   * app_auth's connection (AUTH_DATABASE_URL): sign-in and membership lookups only. Only its role and password
   * are read here; the role gets a SCRAM verifier of that password, never the password itself.
   */
  authUrl: string;
  contextSecret: string;
  clientClass?: typeof pg.Client;
  /** Further createTenancy options (secrets, pooler, namePrefix, pool sizes...). */
  tenancy?: Partial<Omit<TenancyConfigInput, 'tenantTables'>>;
}

/**
 * Brings a database up to date: the tenancy schema and shared tenant tables first (the control
 * plane references the catalog), then the sign-in role app_auth with AUTH_DATABASE_URL's password,
 * then the control-plane migrations (which grant app_auth the sign-in lookups), then the job queue's
 * schema (pg-boss, owned by app_auth). Safe to run on every start.
 */
export async function prepareDatabase(urls: DatabaseUrls): Promise<AppTenancy> {
  const tenancy = createAppTenancy({
    adminUrl: urls.adminUrl,
    appUrl: urls.appUrl,
    operatorUrl: urls.operatorUrl,
    contextSecret: urls.contextSecret,
    migrationsFolder: TENANT_MIGRATIONS_FOLDER,
    clientClass: urls.clientClass,
    ...urls.tenancy,
  });
  try {
    await tenancy.setup();
    await withClient(urls.adminUrl, (admin) => ensureAuthRole(admin, urls.authUrl), urls.clientClass);
    await migrateControlPlane(urls.adminUrl, urls.clientClass);
    // After app_auth exists: the job queue's schema belongs to it.
    await withClient(urls.adminUrl, installJobQueue, urls.clientClass);
  } catch (error) {
    await tenancy.close().catch(() => undefined);
    throw error;
  }
  return tenancy;
}

export async function migrateControlPlane(adminUrl: string, clientClass: typeof pg.Client = pg.Client): Promise<void> {
  await withClient(adminUrl, (client) => migrate(drizzle({ client }), { migrationsFolder: CONTROL_MIGRATIONS_FOLDER }), clientClass);
}
