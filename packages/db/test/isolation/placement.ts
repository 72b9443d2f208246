import type { SecretsProvider, Tenant } from '@repo/tenancy';
import pg from 'pg';
import { INIT_SQL_DEFAULTS } from '../../src/init-sql/generate';
import type { PreparedDatabase, SuiteServer } from '../support';
import { roleUrl } from '../support';
import { SECOND } from './second-server';

/** The suite's database on the server that holds the tenant: the primary's, or the second server's. */
export function serverOf(prepared: PreparedDatabase, tenant: Tenant): SuiteServer {
  if (tenant.server !== SECOND) return prepared.db;
  if (!prepared.second) throw new Error(`tenant ${tenant.slug} is on server "${SECOND}", which this suite did not start`);
  return prepared.second;
}

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
  const server = serverOf(prepared, tenant);
  if (tenant.strategy !== 'database') {
    return server === prepared.db ? prepared.urls.appUrl : roleUrl(server.url, 'app_user', INIT_SQL_DEFAULTS.appPassword);
  }
  const secrets = prepared.urls.tenancy?.secrets as SecretsProvider;
  const url = new URL(roleUrl(server.url, tenant.roleName!, (await secrets.get(tenant.slug))!));
  url.pathname = `/${tenant.databaseName}`;
  return url.toString();
}

/** A superuser query in the database that holds the tenant's tables, on the tenant's server. */
export async function superuserQuery(prepared: PreparedDatabase, tenant: Tenant, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const server = serverOf(prepared, tenant);
  if (tenant.databaseName) return queryAt(server.serverUrl(tenant.databaseName), text, params);
  return (server === prepared.db ? prepared.admin : prepared.second!.admin).query(text, params);
}

/** One query on a connection of its own. */
export async function queryAt(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}
