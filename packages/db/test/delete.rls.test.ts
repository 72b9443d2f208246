import { describe, expect, it } from 'vitest';
import { usePreparedDatabase, writeOneOfEach } from './support';

const prepared = usePreparedDatabase('delete_rls');

/**
 * Deleting an rls tenant deletes its rows in the shared tables as the tables' owner, under the library's
 * maintenance context. The tables force row-level security on their owner too, so the rows go only if the
 * maintenance role (CONTEXT_ROLES in schema/tenant.ts) is one the delete policies admit.
 */
describe('deleting an rls tenant', () => {
  it("removes every row of the tenant from every tenant table, and no other tenant's", async () => {
    const { tenancy, admin } = prepared();
    const [gone, kept] = [
      await tenancy.createTenant({ slug: 'del_gone', name: 'Gone', strategy: 'rls' }),
      await tenancy.createTenant({ slug: 'del_kept', name: 'Kept', strategy: 'rls' }),
    ];
    for (const tenant of [gone, kept]) await writeOneOfEach(tenancy, tenant);
    await tenancy.deleteTenant(gone.slug, { archive: false });
    const count = async (tenantId: string) =>
      (
        await admin.query<{ n: number }>(
          'select (select count(*) from projects where tenant_id = $1) + (select count(*) from tasks where tenant_id = $1) + (select count(*) from comments where tenant_id = $1) as n',
          [tenantId],
        )
      ).rows[0]!.n;
    expect(Number(await count(gone.id))).toBe(0);
    expect(Number(await count(kept.id))).toBe(3);
  });
});
