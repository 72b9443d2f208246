import { describe, expect, it } from 'vitest';
import { createTenancy, STRATEGIES } from '../../src/index';
import { baseConfig, useTenancy } from '../support';

// Regression: signups arrive together. Each schema tenant's role is granted the shared `tenancy` schema and its
// functions, and concurrent GRANTs on one object failed with "tuple concurrently updated" (XX000), leaving the
// tenant in `provisioning`. Found by the provisioning benchmark.
const suite = useTenancy('concurrent_provisioning');

describe('concurrent createTenant', () => {
  it('provisions many tenants of every strategy at once, from two processes, each active and serving its own rows', async () => {
    const { tenancy, db } = suite();
    // A second process of the deployment (another app instance) with its own template state, signing tenants up too.
    const other = createTenancy({ ...baseConfig(db), secrets: tenancy.config.secrets });
    const wanted = STRATEGIES.flatMap((strategy) =>
      Array.from({ length: 6 }, (_, i) => ({ slug: `conc_${strategy}_${i}`, name: `Concurrent ${i}`, strategy })),
    );
    const results = await Promise.allSettled(wanted.map((input, i) => (i % 2 ? other : tenancy).createTenant(input)));
    await other.close();
    const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [`${wanted[i]!.slug}: ${String(result.reason)}`] : []));
    expect(failures).toEqual([]);
    for (const { slug, strategy } of wanted) {
      expect(await tenancy.getTenant(slug)).toMatchObject({ slug, strategy, status: 'active' });
      await tenancy.withTenant(slug, (tx) => tx.query('insert into notes (body) values ($1)', [slug]), { role: 'admin' });
    }
    for (const { slug } of wanted) {
      const { rows } = await tenancy.queryAs<{ body: string }>(slug, 'select body from notes');
      expect(rows.map((row) => row.body)).toEqual([slug]);
    }
  });
});
