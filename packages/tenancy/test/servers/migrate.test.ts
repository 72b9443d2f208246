import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerUnavailableError, type StrategyName, type Tenancy } from '../../src/index';
import { anotherProcess, onServer, useServers } from './support';

const V2 = fileURLToPath(new URL('../fixtures/migrations-v2', import.meta.url));
const suite = useServers({ label: 'srv_migrate' });

const TENANTS: { slug: string; strategy: StrategyName; server: string }[] = [
  { slug: 'm_rls', strategy: 'rls', server: 'primary' },
  { slug: 'm_schema', strategy: 'schema', server: 'primary' },
  { slug: 'm_db', strategy: 'database', server: 'primary' },
  { slug: 'm_b_schema', strategy: 'schema', server: 'b' },
  { slug: 'm_b_schema2', strategy: 'schema', server: 'b' },
  { slug: 'm_b_db', strategy: 'database', server: 'b' },
];

/** Whether notes has v2's title column in a schema of some database on b. */
async function hasTitleOnB(schema: string, database?: string): Promise<boolean> {
  const rows = await onServer<{ n: number }>(
    suite().servers[0]!,
    "select count(*)::int as n from information_schema.columns where table_schema = $1 and table_name = 'notes' and column_name = 'title'",
    [schema],
    database,
  );
  return rows[0]!.n === 1;
}

describe('migrate() across servers', () => {
  let v2: Tenancy;
  beforeAll(async () => {
    const { tenancy } = suite();
    for (const t of TENANTS) await tenancy.createTenant({ ...t, name: t.slug });
    v2 = anotherProcess(suite(), { migrationsFolder: V2 });
  });
  afterAll(async () => {
    await v2?.close();
  });

  it("with b down, b's tenants and templates fail and every other target is done", async () => {
    const b = suite().servers[0]!;
    await b.stop();
    try {
      const summary = await v2.migrate({ concurrency: 3 });
      const failed = summary.failed.map((f) => f.tenant?.slug ?? f.placement).sort();
      expect(failed).toEqual(['b:template:database', 'b:template:schema', 'm_b_db', 'm_b_schema', 'm_b_schema2']);
      for (const f of summary.failed) expect(f.error, f.placement).toBeInstanceOf(ServerUnavailableError);
      // The shared tables, the primary's templates and its three tenants.
      expect(summary.done).toBe(6);
      for (const t of TENANTS) {
        const expected = t.server === 'b' ? '0000_notes' : '0001_note_titles';
        expect((await v2.getTenant(t.slug)).schemaVersion, t.slug).toBe(expected);
      }
      const primaryTenant = await v2.withTenant('m_db', (tx) => tx.query<{ title: string }>(`insert into notes (body) values ('x') returning title`), {
        role: 'admin',
      });
      expect(primaryTenant.rows).toEqual([{ title: 'untitled' }]);
    } finally {
      await b.start();
    }
  });

  it('run again with b back, every tenant on every server reaches v2, and new tenants on b start there', async () => {
    const summary = await v2.migrate({ concurrency: 3 });
    expect(summary.failures).toEqual([]);
    for (const t of TENANTS) {
      const tenant = await v2.getTenant(t.slug);
      expect(tenant.schemaVersion, t.slug).toBe('0001_note_titles');
      const { rows } = await v2.withTenant(
        t.slug,
        (tx) => tx.query<{ title: string }>(`insert into notes (body, title) values ('x', $1) returning title`, [t.slug]),
        {
          role: 'admin',
        },
      );
      expect(rows).toEqual([{ title: t.slug }]);
      if (t.server === 'b') expect(await hasTitleOnB(tenant.schemaName, tenant.databaseName ?? undefined), t.slug).toBe(true);
    }
    for (const strategy of ['schema', 'database'] as const) {
      const fresh = await v2.createTenant({ slug: `m_new_${strategy}`, name: 'New', strategy, server: 'b' });
      expect(fresh.schemaVersion).toBe('0001_note_titles');
      expect(await hasTitleOnB(fresh.schemaName, fresh.databaseName ?? undefined)).toBe(true);
    }
    // Nothing left to do.
    const again = await v2.migrate();
    expect(again.failures).toEqual([]);
    expect(again.done).toBe(again.results.length);
  });
});
