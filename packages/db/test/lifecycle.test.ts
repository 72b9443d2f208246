import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STRATEGIES } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import { TENANT_TABLES } from '../src/schema/tenant';
import { usePreparedDatabase } from './support';

// A short cache: each move waits it out once before its switch.
const prepared = usePreparedDatabase('lifecycle_app', { catalogCacheMs: 200 });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'app-archives-'));

/** Every row of the app's tenant tables, as the tenant's admin sees them (the activity log too), without the tenant id. */
async function everything(slug: string) {
  const { tenancy } = prepared();
  const rows: Record<string, unknown[]> = {};
  for (const table of TENANT_TABLES) {
    rows[table] = (await tenancy.queryAs(slug, `select to_jsonb(t) - 'tenant_id' as row from ${table} t order by id`, [], { role: 'admin' })).rows;
  }
  return rows;
}

/**
 * The app's own tables (parents, children with composite foreign keys, checks, claim defaults),
 * through export, import and move in every placement: what the library's own fixture cannot show.
 */
describe("the app's tenant tables through the lifecycle", () => {
  it.each([...STRATEGIES])('a %s tenant exports, imports into every strategy and moves through all of them unchanged', async (strategy) => {
    const { tenancy } = prepared();
    const slug = `app_${strategy}`;
    await tenancy.createTenant({ slug, name: slug, strategy });
    await tenancy.withTenant(
      slug,
      async (tx) => {
        for (let p = 0; p < 5; p++) {
          const project = await tx.query<{ id: string }>(`insert into projects (name, description) values ($1, E'line\\none') returning id`, [`project ${p}`]);
          for (let t = 0; t < 4; t++) {
            const task = await tx.query<{ id: string }>(
              `insert into tasks (project_id, title, status, due_date) values ($1, $2, 'doing', current_date) returning id`,
              [project.rows[0]!.id, `task ${t}`],
            );
            await tx.query(`insert into comments (task_id, body) values ($1, 'a ''quoted'' comment')`, [task.rows[0]!.id]);
          }
        }
      },
      { role: 'admin', userId: '00000000-0000-4000-8000-0000000000aa' },
    );
    const before = await everything(slug);
    expect(before.comments).toHaveLength(20);
    // Each row's creation, by the admin; an import or a move copies these entries and adds none of its own.
    expect(before.activity_log).toHaveLength(45);
    const file = path.join(tmp, `${slug}.tar.gz`);
    await tenancy.exportTenant(slug, file);
    for (const to of STRATEGIES) {
      const copy = await tenancy.importTenant(file, { slug: `${slug}_in_${to}`, strategy: to, id: 'new' });
      expect(await everything(copy.slug)).toEqual(before);
    }
    for (const to of [...STRATEGIES.filter((s) => s !== strategy), strategy]) {
      await tenancy.moveTenant(slug, to);
      expect(await everything(slug)).toEqual(before);
    }
  });
});
