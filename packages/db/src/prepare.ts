import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { TenancyConfigInput } from '@repo/tenancy';
import { CONTROL_MIGRATIONS_FOLDER, TENANT_MIGRATIONS_FOLDER, createAppTenancy, type AppTenancy } from './tenancy.js';

export interface DatabaseUrls {
  adminUrl: string;
  appUrl: string;
  operatorUrl: string;
  contextSecret: string;
  clientClass?: typeof pg.Client;
  /** Further createTenancy options (secrets, pooler, namePrefix, pool sizes...). */
  tenancy?: Partial<Omit<TenancyConfigInput, 'tenantTables'>>;
}

/**
 * Brings a database up to date: the tenancy schema and shared tenant tables first (the control
 * plane references the catalog), then the control-plane migrations. Safe to run on every start.
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
  await tenancy.setup();
  await migrateControlPlane(urls.adminUrl, urls.clientClass);
  return tenancy;
}

export async function migrateControlPlane(adminUrl: string, clientClass: typeof pg.Client = pg.Client): Promise<void> {
  const client = new clientClass({ connectionString: adminUrl });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: CONTROL_MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}
