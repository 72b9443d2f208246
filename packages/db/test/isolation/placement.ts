import type { SecretsProvider, Tenant } from '@repo/tenancy';
import pg from 'pg';
import type { PreparedDatabase } from '../support';
import { roleUrl } from '../support';

/**
 * A raw connection as the role that serves the tenant, placed where the tenant's tables live,
 * with no tenant context: what SQL sees when the library's context is missing.
 */
export async function withRuntimeClient<T>(prepared: PreparedDatabase, tenant: Tenant, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await runtimeUrl(prepared, tenant) });
  await client.connect();
  try {
    if (tenant.strategy === 'schema') {
      await client.query(`set role ${pg.escapeIdentifier(tenant.roleName!)}`);
      await client.query(`set search_path = ${pg.escapeIdentifier(tenant.schemaName)}`);
    }
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function runtimeUrl(prepared: PreparedDatabase, tenant: Tenant): Promise<string> {
  if (tenant.strategy !== 'database') return prepared.urls.appUrl;
  const secrets = prepared.urls.tenancy?.secrets as SecretsProvider;
  const url = new URL(roleUrl(prepared.db.url, tenant.roleName!, (await secrets.get(tenant.slug))!));
  url.pathname = `/${tenant.databaseName}`;
  return url.toString();
}

/** A superuser query in the database that holds the tenant's tables. */
export async function superuserQuery(prepared: PreparedDatabase, tenant: Tenant, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  if (!tenant.databaseName) return prepared.admin.query(text, params);
  const client = new pg.Client({ connectionString: prepared.db.serverUrl(tenant.databaseName) });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}
