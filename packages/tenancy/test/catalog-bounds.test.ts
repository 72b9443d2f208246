import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTenancy, TenantNotActiveError } from '../src/index';
import { TokenCache } from '../src/context/token-cache';
import { baseConfig, useTenancy } from './support';

const suite = useTenancy('catalog_bounds');

/** A client class that counts the catalog's lookups (one per tenant the cache did not hold). */
function countingClients() {
  const counts = { lookups: 0 };
  class CountingClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [first] = args;
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      if (text?.includes('resolve_tenant')) counts.lookups++;
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  }
  return { counts, Client: CountingClient };
}

// Long enough that no entry expires during a test: a lookup then means the entry was dropped.
const LONG_CACHE_MS = 60_000;
const SLUGS = ['bound_a', 'bound_b', 'bound_c', 'bound_d'] as const;

describe('the catalog cache at scale: at most catalogCacheSize tenants, the least recently served dropped', () => {
  let made: Promise<void> | undefined;
  /** Four rls tenants, each holding one note that names it. */
  function tenants(): Promise<void> {
    const { tenancy } = suite();
    made ??= (async () => {
      for (const slug of SLUGS) {
        await tenancy.createTenant({ slug, name: slug, strategy: 'rls' });
        await tenancy.queryAs(slug, 'insert into notes (body) values ($1)', [slug], { role: 'admin' });
      }
    })();
    return made;
  }

  /** Another process of the app, whose cache holds `size` tenants. */
  function app(size: number, catalogCacheMs = LONG_CACHE_MS) {
    const { db, tenancy } = suite();
    const { counts, Client } = countingClients();
    const instance = createTenancy({
      ...baseConfig(db),
      namePrefix: tenancy.config.namePrefix,
      clientClass: Client,
      catalogCacheMs,
      catalogCacheSize: size,
    });
    /** The note bodies the tenant sees, and the catalog lookups serving it cost. */
    const serve = async (key: string) => {
      const before = counts.lookups;
      const { rows } = await instance.queryAs<{ body: string }>(key, 'select body from notes');
      return { bodies: rows.map((r) => r.body), lookups: counts.lookups - before };
    };
    return { instance, serve };
  }

  it('holds at most catalogCacheSize tenants: the oldest is dropped, looked up again when served, and served its own rows', async () => {
    await tenants();
    const { instance, serve } = app(2);
    try {
      for (const slug of SLUGS) expect(await serve(slug)).toEqual({ bodies: [slug], lookups: 1 });
      // The two most recent are held...
      expect(await serve('bound_d')).toEqual({ bodies: ['bound_d'], lookups: 0 });
      expect(await serve('bound_c')).toEqual({ bodies: ['bound_c'], lookups: 0 });
      // ...the first two were dropped: each costs a lookup again, and is still served its own note.
      expect(await serve('bound_a')).toEqual({ bodies: ['bound_a'], lookups: 1 });
      expect(await serve('bound_b')).toEqual({ bodies: ['bound_b'], lookups: 1 });
    } finally {
      await instance.close();
    }
  });

  it('a tenant served by slug and by id is one entry, and serving an entry keeps it (least recently used, not first in)', async () => {
    await tenants();
    const { tenancy } = suite();
    const a = await tenancy.getTenant('bound_a');
    const { instance, serve } = app(2);
    try {
      expect(await serve('bound_a')).toEqual({ bodies: ['bound_a'], lookups: 1 });
      expect(await serve(a.id)).toEqual({ bodies: ['bound_a'], lookups: 0 });
      expect(await serve('bound_b')).toEqual({ bodies: ['bound_b'], lookups: 1 });
      // Served again, bound_a is now the most recent: bound_c makes room by dropping bound_b.
      expect(await serve('bound_a')).toEqual({ bodies: ['bound_a'], lookups: 0 });
      expect(await serve('bound_c')).toEqual({ bodies: ['bound_c'], lookups: 1 });
      expect(await serve(a.id)).toEqual({ bodies: ['bound_a'], lookups: 0 });
      expect(await serve('bound_b')).toEqual({ bodies: ['bound_b'], lookups: 1 });
    } finally {
      await instance.close();
    }
  });

  it('a tenant dropped and looked up again is refused at once when this process then marks it deleting', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'bound_gone', name: 'Bound Gone', strategy: 'rls' });
    await tenants();
    // Short enough for deleteTenant's wait on other processes' caches, long enough to outlast the test's steps.
    const { instance, serve } = app(1, 3000);
    let deleting = Promise.resolve();
    try {
      expect(await serve('bound_gone')).toEqual({ bodies: [], lookups: 1 });
      expect(await serve('bound_a')).toEqual({ bodies: ['bound_a'], lookups: 1 });
      // Dropped, then cached again by the lookup.
      expect(await serve('bound_gone')).toEqual({ bodies: [], lookups: 1 });
      // The deletion marks the tenant, then waits out other processes' caches (catalogCacheMs).
      deleting = instance.deleteTenant('bound_gone', { archive: false });
      await expect.poll(async () => (await tenancy.getTenant('bound_gone').catch(() => undefined))?.status, { timeout: 10_000 }).not.toBe('active');
      await expect(instance.queryAs('bound_gone', 'select 1')).rejects.toThrow(TenantNotActiveError);
    } finally {
      await deleting.catch(() => undefined);
      await instance.close();
    }
  }, 90_000);
});

describe('the context token cache at scale', () => {
  const key = Buffer.from('token-cache-test-key-0123456789abcdef');
  const tenantId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const claims = (i: number) => ({ tenantId: tenantId(i), role: 'viewer' });
  afterEach(() => vi.useRealTimers());

  it('drops the oldest token to make room, keeping the rest: a full cache does not make every caller sign again', () => {
    // A clock the test moves, so a token signed again (a later expiry) differs from the one kept.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00Z') });
    const tokens = new TokenCache(key, 300, 3);
    const first = [0, 1, 2].map((i) => tokens.get(claims(i)));
    vi.setSystemTime(new Date('2026-01-01T00:00:10Z'));
    // A fourth tenant: the oldest (0) makes room; 1 and 2 keep their tokens.
    tokens.get(claims(3));
    expect(tokens.get(claims(1))).toBe(first[1]);
    expect(tokens.get(claims(2))).toBe(first[2]);
    // The dropped one is signed again, for its own tenant, with the later expiry.
    const expiry = Date.parse('2026-01-01T00:00:10Z') / 1000 + 300;
    expect(tokens.get(claims(0))).toMatch(new RegExp(`^v1\\.${tenantId(0)}\\.-\\.viewer\\.${expiry}\\.[0-9a-f]{64}$`));
  });
});
