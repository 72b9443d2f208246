import { describe, expect, it } from 'vitest';
import { usePreparedDatabase } from './support';

const prepared = usePreparedDatabase('smoke');

describe('smoke', () => {
  it('creates a tenant and reads back through withTenant', async () => {
    const { tenancy } = prepared();
    const t = await tenancy.createTenant({ slug: 'smoke_a', name: 'Smoke A', strategy: 'rls' });
    expect(t.status).toBe('active');
    const rows = await tenancy.withTenant(
      'smoke_a',
      async (tx) => {
        await tx.query("insert into projects (name) values ('p1')");
        return (await tx.query<{ name: string; tenant_id: string }>('select name, tenant_id from projects')).rows;
      },
      { role: 'admin' },
    );
    expect(rows).toEqual([{ name: 'p1', tenant_id: t.id }]);
    const viaQueryAs = await tenancy.queryAs('smoke_a', 'select count(*)::int as n from projects');
    expect(viaQueryAs.rows[0]).toEqual({ n: 1 });
  });
});
