import type { Tenant } from '@repo/tenancy';
import { describe, expect, it, beforeAll } from 'vitest';
import { usePreparedDatabase } from './support';

const prepared = usePreparedDatabase('explain');

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function indexesUsed(node: PlanNode): string[] {
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesUsed)];
}

describe('query plans as app_user', () => {
  let slug = '';
  beforeAll(async () => {
    const { tenancy, admin } = prepared();
    const tenants: Tenant[] = [];
    for (let i = 0; i < 20; i++) tenants.push(await tenancy.createTenant({ slug: `plan_${i}`, name: `Plan ${i}`, strategy: 'rls' }));
    slug = tenants[3]!.slug;
    // Enough rows over enough tenants that a sequential scan would be the worse plan.
    await admin.query(
      `insert into projects (tenant_id, name, created_at)
       select t.id, 'p' || g, now() - g * interval '1 minute'
       from tenancy.tenants t cross join generate_series(1, 500) g where t.slug like 'plan_%'`,
    );
    await admin.query('analyze projects');
  });

  it("the tenant's newest-50 list uses the tenant_id index (the policy does not defeat it)", async () => {
    const { rows } = await prepared().tenancy.queryAs<{ 'QUERY PLAN': PlanNode[] }>(
      slug,
      'explain (format json) select id, name from projects order by created_at desc limit 50',
    );
    const plan = rows[0]!['QUERY PLAN'][0] as unknown as { Plan: PlanNode };
    expect(indexesUsed(plan.Plan)).toContain('projects_tenant_created_idx');
  });

  it('a point lookup by id uses the (tenant_id, id) primary key', async () => {
    const { rows } = await prepared().tenancy.queryAs<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      slug,
      'explain (format json) select * from projects where id = $1',
      ['00000000-0000-4000-a000-000000000000'],
    );
    expect(indexesUsed(rows[0]!['QUERY PLAN'][0]!.Plan)).toContain('projects_pkey');
  });

  it('the newest-50 list really returns 50 of the tenant rows, all its own', async () => {
    const { rows } = await prepared().tenancy.queryAs<{ tenant_id: string }>(slug, 'select tenant_id from projects order by created_at desc limit 50');
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.tenant_id)).size).toBe(1);
  });
});
