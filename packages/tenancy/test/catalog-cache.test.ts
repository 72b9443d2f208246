import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTenancy } from '../src/index.js';
import { baseConfig, useTenancy } from './support.js';

const suite = useTenancy('catalog_cache');

describe('the catalog cache', () => {
  it('an expired entry under load costs one lookup, not one per caller', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_one', name: 'Cache One', strategy: 'rls' });
    let lookups = 0;
    class CountingClient extends pg.Client {
      override query(...args: unknown[]): never {
        const [first] = args;
        const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
        if (text?.includes('resolve_tenant')) lookups++;
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    const app = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, clientClass: CountingClient, catalogCacheMs: 100 });
    try {
      const burst = () => Promise.all(Array.from({ length: 40 }, () => app.queryAs<{ n: number }>('cache_one', 'select count(*)::int as n from notes')));
      expect((await burst()).every((answer) => answer.rows[0]!.n === 0)).toBe(true);
      expect(lookups).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await burst();
      expect(lookups).toBe(2);
    } finally {
      await app.close();
    }
  });
});
