import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTenancy, TenantNotActiveError } from '../src/index';
import { baseConfig, useTenancy } from './support';

const suite = useTenancy('catalog_cache');

/**
 * A pg.Client class whose answers the test can watch or hold back. The catalog queries through
 * pg.Pool.query, which passes a callback: the hook sits between the server's answer and the caller.
 */
function hookedClients() {
  const hooks: { pattern: RegExp; onAnswer: (deliver: () => void) => void }[] = [];
  class HookedClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [first] = args;
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
      const hook = hooks.find((h) => h.pattern.test(text));
      const callback = args.at(-1);
      if (hook && typeof callback === 'function') {
        hooks.splice(hooks.indexOf(hook), 1);
        args[args.length - 1] = (...answer: unknown[]) => hook.onAnswer(() => callback(...answer));
      }
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  return {
    Client: HookedClient,
    /** Resolves once the next query matching `pattern` has answered and its caller has carried on. */
    answered: (pattern: RegExp) =>
      new Promise<void>((resolve) =>
        hooks.push({
          pattern,
          onAnswer: (deliver) => {
            deliver();
            setImmediate(resolve);
          },
        }),
      ),
    /** Keeps the answer of the next query matching `pattern` from its caller until `release()`. */
    hold: (pattern: RegExp) => {
      let deliver: (() => void) | undefined;
      const arrived = new Promise<void>((resolve) =>
        hooks.push({
          pattern,
          onAnswer: (d) => {
            deliver = d;
            resolve();
          },
        }),
      );
      return { arrived, release: () => deliver!() };
    },
  };
}

describe('the catalog cache', () => {
  /** A client class that counts the catalog's lookups and its version reads. */
  function countingClients() {
    const counts = { lookups: 0, versionReads: 0 };
    class CountingClient extends pg.Client {
      override query(...args: unknown[]): never {
        const [first] = args;
        const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
        if (text?.includes('resolve_tenant')) counts.lookups++;
        else if (text?.startsWith('SELECT tenancy.catalog_version')) counts.versionReads++;
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    return { counts, Client: CountingClient };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('an expired entry under load costs one read, not one per caller: a version read while the catalog is unchanged, a lookup once it changed', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_one', name: 'Cache One', strategy: 'rls' });
    const { counts, Client } = countingClients();
    const app = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, clientClass: Client, catalogCacheMs: 100 });
    try {
      const burst = () => Promise.all(Array.from({ length: 40 }, () => app.queryAs<{ n: number }>('cache_one', 'select count(*)::int as n from notes')));
      expect((await burst()).every((answer) => answer.rows[0]!.n === 0)).toBe(true);
      expect(counts).toEqual({ lookups: 1, versionReads: 0 });
      await sleep(150);
      await burst();
      expect(counts).toEqual({ lookups: 1, versionReads: 1 });
      // Another process changes the catalog: the version read no longer confirms the entry.
      await tenancy.createTenant({ slug: 'cache_other', name: 'Cache Other', strategy: 'rls' });
      await sleep(150);
      await burst();
      expect(counts).toEqual({ lookups: 2, versionReads: 2 });
    } finally {
      await app.close();
    }
  });

  it('a tenant another process deletes is refused once the entry expires, although nothing else changed', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_elsewhere', name: 'Cache Elsewhere', strategy: 'rls' });
    const app = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, catalogCacheMs: 100 });
    try {
      expect((await app.queryAs('cache_elsewhere', 'select 1 as one')).rows).toEqual([{ one: 1 }]);
      // A confirmed entry first, so that the refusal below comes from a failed confirmation.
      await sleep(150);
      expect((await app.queryAs('cache_elsewhere', 'select 1 as one')).rows).toEqual([{ one: 1 }]);
      await tenancy.deleteTenant('cache_elsewhere', { archive: false });
      await sleep(150);
      await expect(app.queryAs('cache_elsewhere', 'select 1 as one')).rejects.toThrow(/cache_elsewhere/);
    } finally {
      await app.close();
    }
  });

  it('SQL in a tenant transaction cannot read the catalog version (it tells how often tenants come and go)', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_probe', name: 'Cache Probe', strategy: 'rls' });
    await expect(tenancy.queryAs('cache_probe', 'select tenancy.catalog_version(9999999999, $1) as v', ['0'.repeat(64)])).rejects.toThrow(/proof refused/);
    await expect(tenancy.queryAs('cache_probe', 'select version from tenancy.catalog_version')).rejects.toThrow(/permission denied/);
  });

  // Long enough that an entry kept by mistake would still be served when the test asks.
  const LONG_CACHE_MS = 2000;

  it('a tenant this process marks deleting is refused at once, however long entries are cached', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_deleted', name: 'Cache Deleted', strategy: 'rls' });
    const hooks = hookedClients();
    const app = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, clientClass: hooks.Client, catalogCacheMs: LONG_CACHE_MS });
    let deleting = Promise.resolve();
    try {
      // Served, so its entry is now in the cache.
      expect((await app.queryAs('cache_deleted', 'select 1 as one')).rows).toEqual([{ one: 1 }]);
      const marked = hooks.answered(/UPDATE tenancy\.tenants/);
      deleting = app.deleteTenant('cache_deleted', { archive: false });
      await marked;
      await expect(app.withTenant('cache_deleted', async () => 'served', { role: 'viewer' })).rejects.toThrow(TenantNotActiveError);
      await deleting;
    } finally {
      // Also when an assertion failed: the deletion must not outlive the pools.
      await deleting.catch(() => undefined);
      await app.close();
    }
  });

  it('a lookup in flight across a status change does not cache the status it read', async () => {
    const { db, tenancy } = suite();
    await tenancy.createTenant({ slug: 'cache_race', name: 'Cache Race', strategy: 'rls' });
    const hooks = hookedClients();
    const app = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, clientClass: hooks.Client, catalogCacheMs: LONG_CACHE_MS });
    let deleting = Promise.resolve();
    try {
      // The lookup reads "active", and its answer is held until the tenant has been marked deleting.
      const lookup = hooks.hold(/resolve_tenant/);
      const first = app.queryAs('cache_race', 'select 1 as one');
      await lookup.arrived;
      const marked = hooks.answered(/UPDATE tenancy\.tenants/);
      deleting = app.deleteTenant('cache_race', { archive: false });
      await marked;
      lookup.release();
      // The call that began before the change is served with what it read...
      expect((await first).rows).toEqual([{ one: 1 }]);
      // ...but the next one must not find that stale "active" in the cache.
      await expect(app.queryAs('cache_race', 'select 1 as one').then((r) => r.rows)).rejects.toThrow(TenantNotActiveError);
      await deleting;
    } finally {
      // Also when an assertion failed: the deletion must not outlive the pools.
      await deleting.catch(() => undefined);
      await app.close();
    }
  });
});
