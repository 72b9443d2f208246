import { STRATEGIES, type StrategyName, type Tenant } from '@repo/tenancy';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { TENANT_TABLES } from '../src/schema/tenant';
import { superuserQuery } from './isolation/placement';
import { usePreparedDatabase, writeOneOfEach, type PreparedDatabase } from './support';

/**
 * Without FORCE ROW LEVEL SECURITY (migration 0001_force_rls) the tables' owner bypasses every
 * policy: a maintenance job or a migration run as the owner would read and write across tenants.
 * Checked in every placement, since each gets its tables its own way (shared migrations, a cloned
 * schema, a cloned database).
 */
const prepared = usePreparedDatabase('force_rls');
const tenants = {} as Record<StrategyName, Tenant>;

beforeAll(async () => {
  for (const strategy of STRATEGIES) {
    const tenant = await prepared().tenancy.createTenant({ slug: `force_${strategy}`, name: `Force ${strategy}`, strategy });
    await writeOneOfEach(prepared().tenancy, tenant);
    tenants[strategy] = tenant;
  }
});

/** A transaction as the owner role (SET ROLE from the superuser), in the tenant's placement, with no context. */
async function asOwner<T>(db: PreparedDatabase, tenant: Tenant, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: tenant.databaseName ? db.db.serverUrl(tenant.databaseName) : db.db.url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local role tenancy_owner');
    await client.query(`select set_config('search_path', $1, true)`, [pg.escapeIdentifier(tenant.schemaName)]);
    return await fn(client);
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  }
}

/** Rows in each tenant table of the placement, as `query` counts them. */
async function rowCounts(tenant: Tenant, query: (text: string) => Promise<pg.QueryResult>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TENANT_TABLES) {
    counts[table] = (await query(`select count(*)::int as n from ${pg.escapeIdentifier(tenant.schemaName)}.${pg.escapeIdentifier(table)}`)).rows[0].n;
  }
  return counts;
}

describe.each(STRATEGIES)('FORCE ROW LEVEL SECURITY, %s placement', (strategy) => {
  it('every tenant table forces row-level security on its owner', async () => {
    const tenant = tenants[strategy];
    const flags = await asOwner(
      prepared(),
      tenant,
      async (client) =>
        (
          await client.query(
            `select relname as table, relforcerowsecurity as forced, pg_get_userbyid(relowner) as owner
             from pg_class where relnamespace = $1::regnamespace and relname = any($2) order by relname`,
            [tenant.schemaName, TENANT_TABLES],
          )
        ).rows,
    );
    expect(flags).toEqual([...TENANT_TABLES].sort().map((table) => ({ table, forced: true, owner: 'tenancy_owner' })));
  });

  it('the owner, without a context, sees none of the rows', async () => {
    const tenant = tenants[strategy];
    // The rows are there (a superuser snapshot), so seeing none of them is the policy at work.
    const stored = await rowCounts(tenant, (text) => superuserQuery(prepared(), tenant, text));
    expect(Object.values(stored).every((n) => n > 0)).toBe(true);
    const seenByOwner = await asOwner(prepared(), tenant, (client) => rowCounts(tenant, (text) => client.query(text)));
    expect(seenByOwner).toEqual(Object.fromEntries(TENANT_TABLES.map((table) => [table, 0])));
  });
});
