import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTenancy, type MigrateProgress, type StrategyName } from '../src/index';
import { baseConfig, FIXTURE_MIGRATIONS, useTenancy } from './support';

const suite = useTenancy('migrate');

/** The fixture migrations plus one that adds a column, in a folder of their own. */
function migrationsWithNewColumn(): string {
  const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'migrations-')), 'migrations');
  cpSync(FIXTURE_MIGRATIONS, folder, { recursive: true });
  writeFileSync(path.join(folder, '0001_priority.sql'), 'ALTER TABLE "notes" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;');
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.entries.push({ idx: 1, version: '7', when: 1700000000001, tag: '0001_priority', breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe('migrate()', () => {
  it('adds a column across 50 mixed tenants; a broken tenant fails alone; a rerun after the fix completes it', async () => {
    const { tenancy, db, admin } = suite();
    const mix: StrategyName[] = [...Array(20).fill('rls'), ...Array(20).fill('schema'), ...Array(10).fill('database')];
    for (const [i, strategy] of mix.entries()) await tenancy.createTenant({ slug: `mig_${strategy}_${i}`, name: `Tenant ${i}`, strategy });

    // Break one schema tenant: a column of the same name and another type makes its migration fail.
    const broken = await tenancy.getTenant('mig_schema_25');
    await admin.query(`alter table "${broken.schemaName}".notes add column priority text`);

    const next = createTenancy({
      ...baseConfig(db),
      namePrefix: tenancy.config.namePrefix,
      secrets: tenancy.config.secrets,
      migrationsFolder: migrationsWithNewColumn(),
    });
    try {
      const progress: MigrateProgress[] = [];
      const first = await next.migrate({ concurrency: 4, onProgress: (p) => progress.push(p) });
      expect(first.failed.map((f) => f.tenant?.slug)).toEqual(['mig_schema_25']);
      expect(first.failed[0]!.error?.message).toMatch(/priority/);
      expect(first.done).toBe(progress.length - 1);
      expect(progress.at(-1)!.completed).toBe(progress.at(-1)!.total);

      for (const tenant of await next.listTenants()) {
        const expected = tenant.slug === 'mig_schema_25' ? '0000_notes' : '0001_priority';
        expect(tenant.schemaVersion, tenant.slug).toBe(expected);
        if (tenant.slug === 'mig_schema_25') continue;
        await next.withTenant(tenant.slug, (tx) => tx.query(`insert into notes (body, priority) values ('p', 3)`), { role: 'admin' });
      }

      await admin.query(`alter table "${broken.schemaName}".notes drop column priority`);
      const rerun = await next.migrate({ concurrency: 4 });
      expect(rerun.failed).toEqual([]);
      expect((await next.getTenant('mig_schema_25')).schemaVersion).toBe('0001_priority');
      const { rows } = await next.queryAs<{ priority: number }>('mig_database_45', 'select priority from notes');
      expect(rows).toEqual([{ priority: 3 }]);
      // New tenants start at the new version, from the migrated templates.
      for (const strategy of ['schema', 'database'] as const) {
        const fresh = await next.createTenant({ slug: `mig_new_${strategy}`, name: 'New', strategy });
        expect(fresh.schemaVersion).toBe('0001_priority');
      }
    } finally {
      await next.close();
    }
  });
});
