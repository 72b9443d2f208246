import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { MigrateSummary, Tenancy } from '../src/index';
import { FIXTURE_MIGRATIONS, useTenancy } from './support';
import { migrationsWith, PRIORITY, tenancyAt } from './migration-folders';

const suite = useTenancy('migrate-fast');

/** Statements sent by every connection of one tenancy (pools and one-off clients alike). */
function countingTenancy(folder: string): { tenancy: Tenancy; statements: () => number } {
  let statements = 0;
  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      Object.assign(this, {
        query: (...args: unknown[]) => {
          statements++;
          return query(...args);
        },
      });
    }
  }
  return { tenancy: tenancyAt(suite(), folder, { clientClass: CountingClient }), statements: () => statements };
}

async function migrateCounting(folder: string, options: { fastPath?: boolean } = {}): Promise<{ summary: MigrateSummary; statements: number }> {
  const { tenancy, statements } = countingTenancy(folder);
  try {
    const summary = await tenancy.migrate({ concurrency: 4, ...options });
    return { summary, statements: statements() };
  } finally {
    await tenancy.close();
  }
}

const upToDate = (summary: MigrateSummary) =>
  summary.results
    .filter((r) => r.upToDate)
    .map((r) => r.tenant!.slug)
    .sort();
const migrated = (summary: MigrateSummary) =>
  summary.results
    .filter((r) => r.tenant && !r.upToDate)
    .map((r) => r.tenant!.slug)
    .sort();

async function createSchemaTenants(prefix: string, count: number): Promise<string[]> {
  const slugs = Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`);
  for (const slug of slugs) await suite().tenancy.createTenant({ slug, name: slug, strategy: 'schema' });
  return slugs;
}

describe('migrate() fast path', () => {
  it('nothing pending: schema and rls tenants are confirmed in a constant number of statements, the catalog untouched', async () => {
    const { tenancy, admin } = suite();
    const first = await createSchemaTenants('fp', 10);
    for (const slug of ['fp_rls_a', 'fp_rls_b']) await tenancy.createTenant({ slug, name: slug, strategy: 'rls' });
    await tenancy.createTenant({ slug: 'fp_db', name: 'fp_db', strategy: 'database' });
    const stamps = async () => (await admin.query<{ slug: string; at: string }>('select slug, updated_at::text as at from tenancy.tenants order by slug')).rows;
    const before = await stamps();

    const small = await migrateCounting(FIXTURE_MIGRATIONS);
    expect(small.summary.failures).toEqual([]);
    expect(upToDate(small.summary)).toEqual([...first, 'fp_rls_a', 'fp_rls_b'].sort());
    // Database tenants have no batch check: each is a connection of its own anyway.
    expect(migrated(small.summary)).toEqual(['fp_db']);
    expect(await stamps()).toEqual(before);

    const more = await createSchemaTenants('fq', 10);
    const large = await migrateCounting(FIXTURE_MIGRATIONS);
    expect(upToDate(large.summary)).toHaveLength(first.length + more.length + 2);
    expect(large.statements).toBe(small.statements);

    const full = await migrateCounting(FIXTURE_MIGRATIONS, { fastPath: false });
    expect(full.summary.upToDate).toBe(0);
    expect(full.summary.failures).toEqual([]);
    // The full path opens a transaction of about a dozen statements per schema tenant.
    expect(full.statements - large.statements).toBeGreaterThan(20 * 8);
  });

  it('a tenant whose tracking table is behind while the catalog claims the newest version is still migrated', async () => {
    const { admin } = suite();
    const folder = migrationsWith([PRIORITY]);
    const next = tenancyAt(suite(), folder);
    try {
      expect((await next.migrate()).failures).toEqual([]);
      const behind = await next.getTenant('fp_03');
      expect(behind.schemaVersion).toBe(PRIORITY.tag);
      // As a restored backup of the placement, or a hand edit, would leave it.
      await admin.query(`delete from "${behind.schemaName}".__tenant_migrations where tag = $1`, [PRIORITY.tag]);
      await admin.query(`alter table "${behind.schemaName}".notes drop column priority`);

      const summary = await next.migrate();
      expect(summary.failures).toEqual([]);
      expect(migrated(summary)).toEqual(['fp_03', 'fp_db']);
      expect(upToDate(summary)).toHaveLength(21);
      await next.withTenant('fp_03', (tx) => tx.query(`insert into notes (body, priority) values ('back', 2)`), { role: 'admin' });
      expect((await next.queryAs('fp_03', 'select priority from notes')).rows).toEqual([{ priority: 2 }]);
    } finally {
      await next.close();
    }
  });

  it('a dropped pin constraint or a revoked grant is not current: the full path puts it back', async () => {
    const { admin } = suite();
    const next = tenancyAt(suite(), migrationsWith([PRIORITY]));
    try {
      const [unpinned, revoked] = [await next.getTenant('fp_05'), await next.getTenant('fp_07')];
      await admin.query(`alter table "${unpinned.schemaName}".notes drop constraint tenancy_tenant_pin`);
      await admin.query(`revoke delete on "${revoked.schemaName}".notes from "${revoked.roleName}"`);

      const summary = await next.migrate();
      expect(summary.failures).toEqual([]);
      expect(migrated(summary)).toEqual(['fp_05', 'fp_07', 'fp_db']);
      const { rows } = await admin.query(
        `select exists(select 1 from pg_constraint where conrelid = $1::regclass and conname = 'tenancy_tenant_pin') as pinned,
                has_table_privilege($2, $3::regclass, 'DELETE') as can_delete`,
        [`"${unpinned.schemaName}".notes`, revoked.roleName, `"${revoked.schemaName}".notes`],
      );
      expect(rows).toEqual([{ pinned: true, can_delete: true }]);
    } finally {
      await next.close();
    }
  });

  it('a catalog behind its placement sends that tenant through its migration transaction, which corrects the catalog', async () => {
    const { admin } = suite();
    const next = tenancyAt(suite(), migrationsWith([PRIORITY]));
    try {
      await admin.query(`update tenancy.tenants set schema_version = '0000_notes' where slug = 'fq_02'`);
      const summary = await next.migrate();
      expect(summary.failures).toEqual([]);
      // The catalog only ever rules a tenant out of the fast path: one it says is behind is not read, but migrated.
      expect(migrated(summary).sort()).toEqual(['fp_db', 'fq_02']);
      expect(summary.results.find((r) => r.tenant?.slug === 'fq_02')).toMatchObject({ status: 'done', version: PRIORITY.tag });
      expect((await next.getTenant('fq_02')).schemaVersion).toBe(PRIORITY.tag);
    } finally {
      await next.close();
    }
  });
});
