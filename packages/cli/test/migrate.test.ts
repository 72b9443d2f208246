import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import type { Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { json, useCliSuite } from './support';

const suite = useCliSuite('migrate');

interface Target {
  placement: string;
  tenant: string | null;
  status: 'done' | 'failed';
  version: string | null;
  error?: string;
}
interface Summary {
  done: number;
  failed: Target[];
  results: Target[];
}

const NEW_TAG = '9999_cli_test_column';

/** @repo/db's tenant migrations plus one more, which adds a column to projects. */
function folderWithOneMore(dir: string, tags: readonly string[] = [NEW_TAG]): string {
  const folder = path.join(dir, `migrations-${tags.length}`);
  cpSync(TENANT_MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
  for (const [i, tag] of tags.entries()) {
    journal.entries.push({ idx: journal.entries.length, tag });
    writeFileSync(
      path.join(folder, `${tag}.sql`),
      i === 0 ? 'ALTER TABLE "projects" ADD COLUMN "cli_note" text;' : `ALTER TABLE "projects" ADD COLUMN "cli_note_${i}" text;`,
    );
  }
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

async function hasColumn(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      "select 1 from information_schema.columns where table_schema = $1 and table_name = 'projects' and column_name = 'cli_note'",
      [schema],
    );
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

// The new migration reaches the tenant-database template, which is named for the deployment (t__template) across
// the server: it goes with this suite, and the next deployment that needs it builds it again from its own migrations.
afterAll(async () => {
  const client = new pg.Client({ connectionString: suite().db.serverUrl() });
  await client.connect();
  await client.query('drop database if exists t__template with (force)').finally(() => client.end());
});

describe('migrate', () => {
  it('--json: every placement done, tenants at the latest version', async () => {
    const { cli, slug } = suite();
    const schema = slug('mig_schema');
    const database = slug('mig_db');
    expect((await cli(['create', '--slug', schema, '--name', schema, '--strategy', 'schema'])).code).toBe(0);
    expect((await cli(['create', '--slug', database, '--name', database, '--strategy', 'database'])).code).toBe(0);

    const result = await cli(['migrate', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const summary = json<Summary>(result);
    expect(summary.failed).toEqual([]);
    expect(summary.results.map((r) => r.placement)).toEqual(expect.arrayContaining(['shared:public', 'template:schema', 'template:database']));
    const latest = summary.results.find((r) => r.tenant === schema)!.version;
    expect(latest).toMatch(/^\d{4}_/);
    expect(summary.results.filter((r) => r.tenant === schema || r.tenant === database)).toEqual([
      expect.objectContaining({ status: 'done', version: latest }),
      expect.objectContaining({ status: 'done', version: latest }),
    ]);
    expect(summary.done).toBe(summary.results.length);
  });

  it('a new migration reaches every healthy tenant; a broken one is reported by name, the rest go on, exit 1', async () => {
    const { cli, slug, admin, db, dir } = suite();
    const broken = slug('mig_broken');
    const healthy = slug('mig_healthy');
    expect((await cli(['create', '--slug', broken, '--name', broken, '--strategy', 'schema'])).code).toBe(0);
    const created = json<Tenant>(await cli(['create', '--slug', healthy, '--name', healthy, '--strategy', 'database', '--json']));
    await admin.query(`drop schema ${pg.escapeIdentifier(`t_${broken}`)} cascade`);
    const env = { TENANT_MIGRATIONS_DIR: folderWithOneMore(dir) };

    const human = await cli(['migrate', '--concurrency', '2'], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^Migrated \d+ of \d+ placements \(\d+ already current\); 1 FAILED:$/m);
    expect(human.stdout).toMatch(new RegExp(`^  t_${broken} \\(tenant ${broken}\\): .*t_${broken}.* does not exist$`, 'm'));
    expect(human.stderr).toMatch(/run `tenancy migrate` again/);

    const again = await cli(['migrate', '--json'], env);
    expect(again.code).toBe(1);
    const summary = json<Summary>(again);
    expect(summary.failed).toEqual([expect.objectContaining({ tenant: broken, status: 'failed', error: expect.stringContaining('does not exist') })]);
    expect(summary.results.filter((r) => r.tenant !== broken).every((r) => r.status === 'done' && r.version === NEW_TAG)).toBe(true);

    expect(await hasColumn(db.url, 'public')).toBe(true);
    expect(await hasColumn(db.serverUrl(created.databaseName!), 'public')).toBe(true);
    const { rows } = await admin.query('select slug, schema_version from tenancy.tenants where slug = any($1) order by slug', [[broken, healthy]]);
    expect(rows).toEqual([
      { slug: broken, schema_version: expect.not.stringMatching(NEW_TAG) },
      { slug: healthy, schema_version: NEW_TAG },
    ]);
  });

  it('--canary 3: the broken tenant among the first three stops the run; the tenant after them is not attempted', async () => {
    const { cli, admin, dir } = suite();
    const canaryTag = '9999_cli_test_canary';
    const result = await cli(['migrate', '--canary', '3', '--json'], { TENANT_MIGRATIONS_DIR: folderWithOneMore(dir, [NEW_TAG, canaryTag]) });
    expect(result.code).toBe(1);
    const summary = json<Summary & { stoppedAfterCanary: boolean; notAttempted: string[]; failures: Array<{ tenant: string; message: string }> }>(result);
    expect(summary.stoppedAfterCanary).toBe(true);
    // Catalog order: the first test's two tenants, then the broken one; the healthy one came after.
    const [broken, healthy] = (
      await admin.query<{ slug: string }>(`select slug from tenancy.tenants where slug like 'mig_broken%' or slug like 'mig_healthy%' order by created_at`)
    ).rows.map((r) => r.slug);
    expect(summary.failures).toEqual([expect.objectContaining({ tenant: broken, message: expect.stringContaining('does not exist') })]);
    expect(summary.notAttempted).toEqual([healthy]);
    const { rows } = await admin.query('select schema_version from tenancy.tenants where slug = $1', [healthy]);
    expect(rows[0].schema_version).toBe(NEW_TAG);
  });

  it('--concurrency must be a whole number from 1 to 64: exit 2', async () => {
    const results = await Promise.all(['0', 'many', '65'].map((value) => suite().cli(['migrate', '--concurrency', value])));
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--concurrency must be/);
    }
  });
});
