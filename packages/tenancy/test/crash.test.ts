import { describe, expect, it } from 'vitest';
import { createTenancy, STRATEGIES, TenantNotActiveError, type StrategyName, type Tenancy } from '../src/index';
import { baseConfig, useTenancy } from './support';

const suite = useTenancy('crash');

class InjectedCrash extends Error {}

/** A tenancy whose lifecycle crashes once, just before the named step. */
function crashingAt(step: string): Tenancy {
  let armed = true;
  return createTenancy({
    ...baseConfig(suite().db),
    namePrefix: suite().tenancy.config.namePrefix,
    secrets: suite().tenancy.config.secrets,
    beforeStep: (name) => {
      if (armed && name === step) {
        armed = false;
        throw new InjectedCrash(`injected crash before ${step}`);
      }
    },
  });
}

async function placementExists(strategy: StrategyName, slug: string): Promise<{ schema: boolean; database: boolean; role: boolean; catalog: boolean }> {
  const { admin, tenancy } = suite();
  const name = `${tenancy.config.namePrefix}${slug}`;
  const { rows } = await admin.query(
    `select exists(select 1 from pg_namespace where nspname = $1) as schema, exists(select 1 from pg_database where datname = $1) as database,
            exists(select 1 from pg_roles where rolname = $1) as role, exists(select 1 from tenancy.tenants where slug = $2) as catalog`,
    [name, slug],
  );
  if (strategy === 'rls') expect(rows[0].schema || rows[0].database || rows[0].role).toBe(false);
  return rows[0];
}

describe.each([...STRATEGIES])('crash injection: %s', (strategy) => {
  it('a crash before any provisioning step leaves a tenant that serves nothing, which the same call finishes or deleteTenant removes', async () => {
    const { tenancy } = suite();
    const steps = tenancy.lifecycleSteps(strategy).provision;
    for (const [i, step] of steps.entries()) {
      for (const recovery of ['finish', 'delete'] as const) {
        const slug = `c_${strategy.slice(0, 3)}_${i}_${recovery}`;
        const crashing = crashingAt(step);
        try {
          await expect(crashing.createTenant({ slug, name: slug, strategy })).rejects.toThrow(InjectedCrash);
        } finally {
          await crashing.close();
        }
        const half = await tenancy.getTenant(slug);
        expect(half.status).toBe('provisioning');
        await expect(tenancy.queryAs(slug, 'select 1')).rejects.toThrow(TenantNotActiveError);
        if (recovery === 'finish') {
          const done = await tenancy.createTenant({ slug, name: slug, strategy });
          expect(done.status).toBe('active');
          await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('after recovery')`), { role: 'admin' });
          expect((await tenancy.queryAs(slug, 'select body from notes')).rows).toEqual([{ body: 'after recovery' }]);
        } else {
          await tenancy.deleteTenant(slug, { archive: false });
          expect(await placementExists(strategy, slug)).toEqual({ schema: false, database: false, role: false, catalog: false });
        }
      }
    }
  });

  it('a crash before any deletion step leaves a tenant that serves nothing, which the same deleteTenant call finishes', async () => {
    const { tenancy } = suite();
    const steps = tenancy.lifecycleSteps(strategy).destroy;
    for (const [i, step] of steps.entries()) {
      const slug = `d_${strategy.slice(0, 3)}_${i}`;
      await tenancy.createTenant({ slug, name: slug, strategy });
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('doomed')`), { role: 'admin' });
      const crashing = crashingAt(step);
      try {
        await expect(crashing.deleteTenant(slug, { archive: false })).rejects.toThrow(InjectedCrash);
      } finally {
        await crashing.close();
      }
      expect((await tenancy.getTenant(slug)).status).toBe('deleting');
      await new Promise((r) => setTimeout(r, tenancy.config.catalogCacheMs + 10));
      await expect(tenancy.queryAs(slug, 'select 1')).rejects.toThrow(TenantNotActiveError);
      await tenancy.deleteTenant(slug, { archive: false });
      expect(await placementExists(strategy, slug)).toEqual({ schema: false, database: false, role: false, catalog: false });
    }
  });
});
