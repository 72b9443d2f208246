import { describe, expect, it } from 'vitest';
import { startLifecycleProcess } from './fixtures/processes/lifecycle-process';
import { baseConfig, useTenancy } from './support';
import { migrationsWith, PRIORITY, tenancyAt } from './migration-folders';

const suite = useTenancy('migrate-resume');
const TENANTS = 40;
/** Sleeps in each placement's transaction, so the kill lands while most tenants are still waiting their turn. */
const SLOW_PRIORITY = { tag: PRIORITY.tag, sql: `${PRIORITY.sql}\n--> statement-breakpoint\nSELECT pg_sleep(0.03);` };

/** Runs migrate() in a child process and kills it (SIGKILL) once `after` tenants have reported done. */
async function migrateAndKill(folder: string, after: number): Promise<number> {
  const { db, tenancy } = suite();
  const { secrets: _secrets, ...plain } = baseConfig(db);
  // Schema tenants only: the process needs no secrets.
  const child = startLifecycleProcess({ tenancy: { ...plain, namePrefix: tenancy.config.namePrefix, migrationsFolder: folder } });
  await child.ready();
  child.send({ op: 'migrate', concurrency: 1 });
  let done = 0;
  await child.waitFor((e) => e.event === 'progress' && e.step === 'done' && ++done === after);
  await child.kill();
  expect((await child.exited).signal).toBe('SIGKILL');
  return child.events.filter((e) => e.event === 'progress' && e.step === 'done').length;
}

/** Tenants whose own tracking table holds the tag: what survived the crash, whatever the catalog says. */
async function placementsAt(tag: string): Promise<string[]> {
  const { tenancy, admin } = suite();
  const at: string[] = [];
  for (const tenant of await tenancy.listTenants()) {
    const { rowCount } = await admin.query(`select 1 from "${tenant.schemaName}".__tenant_migrations where tag = $1`, [tag]);
    if (rowCount) at.push(tenant.slug);
  }
  return at.sort();
}

describe('migrate() after a crash', () => {
  it('a process killed half-way leaves each tenant at the old or the new version, and a rerun completes the rest', async () => {
    const { tenancy } = suite();
    for (let i = 0; i < TENANTS; i++) await tenancy.createTenant({ slug: `res_${String(i).padStart(2, '0')}`, name: `Resume ${i}`, strategy: 'schema' });
    const folder = migrationsWith([SLOW_PRIORITY]);

    const reported = await migrateAndKill(folder, 5);
    const survived = await placementsAt(PRIORITY.tag);
    // Half-way: the reported ones committed, and the kill stopped the run well before the end.
    expect(survived.length).toBeGreaterThanOrEqual(reported);
    expect(survived.length).toBeLessThan(TENANTS);

    const next = tenancyAt(suite(), folder);
    try {
      const summary = await next.migrate({ concurrency: 4 });
      expect(summary.failures).toEqual([]);
      // What the crashed run finished is confirmed, not redone; the rest is migrated.
      expect(
        summary.results
          .filter((r) => r.upToDate)
          .map((r) => r.tenant!.slug)
          .sort(),
      ).toEqual(survived);
      expect(summary.results.filter((r) => r.tenant && !r.upToDate)).toHaveLength(TENANTS - survived.length);
      expect(await placementsAt(PRIORITY.tag)).toHaveLength(TENANTS);
      for (const tenant of await next.listTenants()) {
        expect(tenant.schemaVersion, tenant.slug).toBe(PRIORITY.tag);
        await next.withTenant(tenant.slug, (tx) => tx.query(`insert into notes (body, priority) values ('after', 1)`), { role: 'admin' });
      }
    } finally {
      await next.close();
    }
  });
});
