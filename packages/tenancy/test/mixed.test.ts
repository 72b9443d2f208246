import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { STRATEGIES, type SecretsProvider, type Tenant } from '../src/index';
import { roleUrl, useTenancy } from './support';

const suite = useTenancy('mixed');

describe('two tenants of each strategy side by side', () => {
  const tenants: Tenant[] = [];

  beforeAll(async () => {
    const { tenancy } = suite();
    for (const strategy of STRATEGIES) {
      for (const n of [1, 2]) {
        const tenant = await tenancy.createTenant({ slug: `mix_${strategy}_${n}`, name: `${strategy} ${n}`, strategy });
        await tenancy.withTenant(tenant.slug, (tx) => tx.query('insert into notes (body) values ($1)', [`marker of ${tenant.slug}`]), { role: 'admin' });
        tenants.push(tenant);
      }
    }
  });

  it('places each strategy where the design says', () => {
    const bySlug = Object.fromEntries(tenants.map((t) => [t.slug, t]));
    const prefix = suite().tenancy.config.namePrefix;
    expect(bySlug.mix_rls_1).toMatchObject({ schemaName: 'public', databaseName: null, roleName: null });
    expect(bySlug.mix_schema_1).toMatchObject({ schemaName: `${prefix}mix_schema_1`, databaseName: null, roleName: `${prefix}mix_schema_1` });
    expect(bySlug.mix_database_1).toMatchObject({ schemaName: 'public', databaseName: `${prefix}mix_database_1`, roleName: `${prefix}mix_database_1` });
  });

  it('no tenant sees another tenant’s rows, whatever the strategies', async () => {
    const { tenancy } = suite();
    for (const tenant of tenants) {
      const { rows } = await tenancy.queryAs<{ body: string; tenant_id: string }>(tenant.slug, 'select body, tenant_id from notes');
      expect(rows).toEqual([{ body: `marker of ${tenant.slug}`, tenant_id: tenant.id }]);
    }
  });

  it('a database tenant’s role cannot connect to another tenant’s database (nor to the deployment’s)', async () => {
    const { db, tenancy } = suite();
    const [one, two] = tenants.filter((t) => t.strategy === 'database');
    const secrets = tenancy.config.secrets as SecretsProvider;
    const password = (await secrets.get(one!.slug))!;
    const connectAs = async (database: string) => {
      const url = new URL(roleUrl(db.url, one!.roleName!, password));
      url.pathname = `/${database}`;
      const client = new pg.Client({ connectionString: url.toString() });
      try {
        await client.connect();
        await client.query('select 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    await expect(connectAs(one!.databaseName!)).resolves.toBeUndefined();
    await expect(connectAs(two!.databaseName!)).rejects.toThrow(/permission denied for database/);
    await expect(connectAs(`${tenancy.config.namePrefix}_template`)).rejects.toThrow(/permission denied for database/);
    // The app role cannot connect to a tenant database either: REVOKE CONNECT ... FROM PUBLIC.
    const app = new URL(tenancy.config.appUrl);
    app.pathname = `/${one!.databaseName}`;
    const client = new pg.Client({ connectionString: app.toString() });
    await expect(client.connect()).rejects.toThrow(/permission denied for database/);
    await client.end().catch(() => undefined);
  });

  it('a schema tenant’s role cannot read another tenant’s schema', async () => {
    const { tenancy } = suite();
    const [one, two] = tenants.filter((t) => t.strategy === 'schema');
    const client = new pg.Client({ connectionString: tenancy.config.appUrl });
    await client.connect();
    try {
      await client.query(`set role ${pg.escapeIdentifier(one!.roleName!)}`);
      await expect(client.query(`select count(*) from ${pg.escapeIdentifier(two!.schemaName)}.notes`)).rejects.toThrow(/permission denied for schema/);
      await expect(client.query('select count(*) from public.notes')).rejects.toThrow(/permission denied/);
      await expect(client.query(`select count(*) from ${pg.escapeIdentifier(one!.schemaName)}.notes`)).resolves.toBeDefined();
    } finally {
      await client.end();
    }
  });
});
