import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Tenancy } from '../src/index';
import { useTenancy, type Suite } from './support';
import { tenancyAt } from './migration-folders';

/** 0000_notes, then 0001_rank_required: a NOT NULL column without a default, which fails on every notes table holding a row. */
const BROKEN = fileURLToPath(new URL('./fixtures/migrations-broken', import.meta.url));
const NEW_TAG = '0001_rank_required';
const NULLS = /column "rank" of relation "notes" contains null values/;

async function withBroken<T>(suite: Suite, fn: (tenancy: Tenancy) => Promise<T>): Promise<T> {
  const tenancy = tenancyAt(suite, BROKEN);
  try {
    return await fn(tenancy);
  } finally {
    await tenancy.close();
  }
}

/** What the tenant's own placement says, not the catalog: the tags its tracking table holds and whether the column exists. */
async function placementState(suite: Suite, slug: string): Promise<{ tags: string[]; rank: boolean; catalog: string | null }> {
  const tenant = await suite.tenancy.getTenant(slug);
  const { rows } = await suite.admin.query<{ tags: string[]; rank: boolean }>(
    `select (select array_agg(tag order by tag) from "${tenant.schemaName}".__tenant_migrations) as tags,
            exists(select 1 from information_schema.columns where table_schema = $1 and table_name = 'notes' and column_name = 'rank') as rank`,
    [tenant.schemaName],
  );
  return { ...rows[0]!, catalog: tenant.schemaVersion };
}

const OLD = { tags: ['0000_notes'], rank: false, catalog: '0000_notes' };
const NEW = { tags: ['0000_notes', NEW_TAG], rank: true, catalog: NEW_TAG };

describe('migrate({ canary })', () => {
  const suite = useTenancy('migrate-canary');
  const slugs = Array.from({ length: 6 }, (_, i) => `can_${i}`);

  it('stops at a broken migration after the canary tenants: 2 attempted and failed, the other 4 untouched', async () => {
    const { tenancy } = suite();
    for (const slug of slugs) {
      await tenancy.createTenant({ slug, name: slug, strategy: 'schema' });
      await tenancy.withTenant(slug, (tx) => tx.query(`insert into notes (body) values ('a row the new column has no value for')`), { role: 'admin' });
    }

    const summary = await withBroken(suite(), (next) => next.migrate({ canary: 2, concurrency: 4 }));
    expect(summary.stoppedAfterCanary).toBe(true);
    // The shared tables and the templates hold no rows, so they passed; the canaries are the first two in catalog order.
    expect(summary.results.filter((r) => !r.tenant).map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(summary.failures.map((f) => f.tenant).sort()).toEqual(['can_0', 'can_1']);
    for (const failure of summary.failures) {
      expect(failure).toMatchObject({ code: '23502', placement: `${tenancy.config.namePrefix}${failure.tenant}` });
      expect(failure.message).toMatch(NULLS);
    }
    expect(summary.results.filter((r) => r.tenant)).toHaveLength(2);
    expect(summary.notAttempted.map((t) => t.slug)).toEqual(slugs.slice(2));
    for (const slug of slugs) expect(await placementState(suite(), slug), slug).toEqual(OLD);
  });

  it('a canary that passes lets the run go on: each later failure is reported with its tenant and reason, the others are migrated', async () => {
    const { tenancy, admin } = suite();
    // The first two become migratable; the other four keep their rows.
    for (const slug of slugs.slice(0, 2)) await admin.query(`delete from "${(await tenancy.getTenant(slug)).schemaName}".notes`);

    const summary = await withBroken(suite(), (next) => next.migrate({ canary: 2, concurrency: 2 }));
    expect(summary.stoppedAfterCanary).toBe(false);
    expect(summary.notAttempted).toEqual([]);
    expect(summary.failures.map((f) => f.tenant).sort()).toEqual(slugs.slice(2));
    expect(summary.failures.every((f) => NULLS.test(f.message) && f.code === '23502')).toBe(true);
    expect(summary.failed.map((f) => f.error?.message)).toEqual(summary.failures.map((f) => f.message));
    for (const slug of slugs.slice(0, 2)) expect(await placementState(suite(), slug), slug).toEqual(NEW);
    for (const slug of slugs.slice(2)) expect(await placementState(suite(), slug), slug).toEqual(OLD);
  });

  it('after the failures are fixed, a rerun migrates only the tenants left behind', async () => {
    const { tenancy, admin } = suite();
    for (const slug of slugs.slice(2)) await admin.query(`delete from "${(await tenancy.getTenant(slug)).schemaName}".notes`);

    const summary = await withBroken(suite(), (next) => next.migrate({ canary: 1 }));
    expect(summary.failures).toEqual([]);
    expect(summary.stoppedAfterCanary).toBe(false);
    const migrated = summary.results.filter((r) => r.tenant && !r.upToDate).map((r) => r.tenant!.slug);
    expect(migrated.sort()).toEqual(slugs.slice(2));
    expect(summary.upToDate).toBe(2);
    for (const slug of slugs) expect(await placementState(suite(), slug), slug).toEqual(NEW);
  });

  it('refuses a canary that is not a whole number of tenants', async () => {
    const { tenancy } = suite();
    for (const canary of [0, -1, 1.5, Number.NaN]) await expect(tenancy.migrate({ canary })).rejects.toThrow(RangeError);
  });
});

describe('migrate({ canary }) when the shared tables fail', () => {
  const suite = useTenancy('migrate-canary-shared');

  it('stops before any template or tenant, and lists every tenant as not attempted', async () => {
    const { tenancy } = suite();
    // A row in the shared notes table (an rls tenant's) makes the broken migration fail there first.
    await tenancy.createTenant({ slug: 'sh_rls', name: 'sh_rls', strategy: 'rls' });
    await tenancy.withTenant('sh_rls', (tx) => tx.query(`insert into notes (body) values ('shared row')`), { role: 'admin' });
    for (const slug of ['sh_a', 'sh_b']) await tenancy.createTenant({ slug, name: slug, strategy: 'schema' });

    const summary = await withBroken(suite(), (next) => next.migrate({ canary: 1 }));
    expect(summary.stoppedAfterCanary).toBe(true);
    expect(summary.results.map((r) => [r.placement, r.status])).toEqual([['shared:public', 'failed']]);
    expect(summary.failures[0]!.message).toMatch(NULLS);
    expect(summary.notAttempted.map((t) => t.slug).sort()).toEqual(['sh_a', 'sh_b', 'sh_rls']);
    for (const slug of ['sh_a', 'sh_b']) expect(await placementState(suite(), slug), slug).toEqual(OLD);
  });
});
