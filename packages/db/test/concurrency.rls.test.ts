import { randomUUID } from 'node:crypto';
import type { Tenant } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import { TENANT_MIGRATIONS_FOLDER } from '../src/migrations';
import { createAppTenancy } from '../src/tenancy';
import { usePreparedDatabase } from './support';

const prepared = usePreparedDatabase('concurrency');

describe('concurrent tenant transactions on a small pool', () => {
  it('50 concurrent withTenant calls over 5 tenants on 5 connections: each reads back only its own tenant', async () => {
    const { urls } = prepared();
    const tenancy = createAppTenancy({ ...urls, migrationsFolder: TENANT_MIGRATIONS_FOLDER, appPoolSize: 5 });
    try {
      const tenants: Tenant[] = [];
      for (let i = 0; i < 5; i++) tenants.push(await tenancy.createTenant({ slug: `conc_${i}`, name: `Concurrent ${i}`, strategy: 'rls' }));
      const calls = Array.from({ length: 50 }, (_, i) => {
        const tenant = tenants[i % tenants.length]!;
        const marker = `marker-${i}-${randomUUID()}`;
        return tenancy.withTenant(
          tenant.slug,
          async (tx) => {
            await tx.query('insert into projects (name) values ($1)', [marker]);
            // Give the other callers time to interleave on the same connections.
            await tx.query('select pg_sleep(0.005)');
            const { rows } = await tx.query<{ tenant_id: string; name: string }>('select tenant_id, name from projects');
            const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
            return { tenant, marker, rows, pid };
          },
          { role: 'admin' },
        );
      });
      const results = await Promise.all(calls);
      let foreign = 0;
      for (const r of results) {
        foreign += r.rows.filter((row) => row.tenant_id !== r.tenant.id).length;
        expect(r.rows.map((row) => row.name)).toContain(r.marker);
        expect(r.rows.length).toBeLessThanOrEqual(10);
      }
      expect(foreign).toBe(0);
      // Every committed marker landed in its own tenant: 10 per tenant.
      for (const tenant of tenants) {
        const { rows } = await tenancy.queryAs<{ n: number }>(tenant.slug, 'select count(*)::int as n from projects');
        expect(rows[0]!.n).toBe(10);
      }
      // Proof the test exercised pooling: server connections were shared between tenants.
      const tenantsPerPid = new Map<number, Set<string>>();
      for (const r of results) tenantsPerPid.set(r.pid, (tenantsPerPid.get(r.pid) ?? new Set()).add(r.tenant.id));
      expect(tenantsPerPid.size).toBeLessThanOrEqual(5);
      expect([...tenantsPerPid.values()].some((set) => set.size > 1)).toBe(true);
    } finally {
      await tenancy.close();
    }
  });
});
