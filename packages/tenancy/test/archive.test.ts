import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, createTenancy, STRATEGIES, TenantExistsError, type StrategyName, type Tenancy } from '../src/index';
import { rewriteManifest } from './archive-files';
import { baseConfig, FIXTURE_MIGRATIONS, useTenancy } from './support';

const suite = useTenancy('archive');
const newer = useTenancy('archive_v2', { migrationsFolder: `${FIXTURE_MIGRATIONS}-v2` });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tenancy-archives-'));

/** A tenancy over the same deployment that sees each lifecycle step first. */
function watching(beforeStep: (name: string) => void): Tenancy {
  const { db, tenancy } = suite();
  return createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, secrets: tenancy.config.secrets, beforeStep });
}

/** One whose lifecycle crashes once, just before the named step. */
function crashingAt(step: string): Tenancy {
  let armed = true;
  return watching((name) => {
    if (armed && name === step) {
      armed = false;
      throw new Error(`injected crash before ${step}`);
    }
  });
}

type Note = { id: string; body: string; created_by: string | null };

async function notes(tenancy: Tenancy, slug: string): Promise<Note[]> {
  const { rows } = await tenancy.queryAs<Note>(slug, 'select id, body, created_by from notes order by id');
  return rows;
}

/** A tenant with rows that exercise COPY's escaping: quotes, tabs, newlines, backslashes, unicode, NULLs. */
async function seeded(tenancy: Tenancy, slug: string, strategy: StrategyName, count = 50): Promise<Note[]> {
  await tenancy.createTenant({ slug, name: `Name of ${slug}`, strategy });
  await tenancy.withTenant(
    slug,
    async (tx) => {
      await tx.query(`insert into notes (body) select 'note ' || g || E' \\t tab \\n newline \\\\ back ''quote'' é ✓' from generate_series(1, $1::int) g`, [
        count,
      ]);
      await tx.query(`insert into notes (body, created_by) values ('with author', gen_random_uuid())`);
    },
    { role: 'admin', userId: '00000000-0000-4000-8000-000000000001' },
  );
  return notes(tenancy, slug);
}

async function footprint(): Promise<{ tenants: number; schemas: number; databases: number }> {
  const { admin, tenancy } = suite();
  const like = `${tenancy.config.namePrefix}%`;
  const { rows } = await admin.query(
    `select (select count(*)::int from tenancy.tenants) as tenants,
            (select count(*)::int from pg_namespace where nspname like $1 or nspname like 'tenancy_import_%') as schemas,
            (select count(*)::int from pg_database where datname like $1 and datname <> $2) as databases`,
    // The template is the deployment's, made by the first database tenant, not by an import.
    [like, `${tenancy.config.namePrefix}_template`],
  );
  return rows[0];
}

describe('export and import', () => {
  describe.each([...STRATEGIES])('from %s', (from) => {
    it.each([...STRATEGIES])('to %s: every row comes back, under a new id when asked', async (to) => {
      const { tenancy } = suite();
      const slug = `ex_${from.slice(0, 3)}_${to.slice(0, 3)}`;
      const rows = await seeded(tenancy, slug, from);
      const file = path.join(tmp, `${slug}.tar.gz`);
      const summary = await tenancy.exportTenant(slug, file);
      expect(summary.manifest.tables).toEqual([expect.objectContaining({ name: 'notes', rows: rows.length })]);
      expect(summary.bytes).toBeGreaterThan(0);
      const copy = await tenancy.importTenant(file, { slug: `${slug}_copy`, strategy: to, id: 'new' });
      expect(copy).toMatchObject({ slug: `${slug}_copy`, strategy: to, status: 'active', name: `Name of ${slug}` });
      expect(copy.id).not.toBe(summary.manifest.tenant.id);
      expect(await notes(tenancy, copy.slug)).toEqual(rows);
      // The copy is its own tenant: its rows carry its id, and the original is untouched.
      const { rows: owners } = await suite().admin.query(
        copy.strategy === 'database' ? 'select 1' : `select distinct tenant_id from ${copy.schemaName}.notes where tenant_id = $1`,
        copy.strategy === 'database' ? [] : [copy.id],
      );
      expect(owners).toHaveLength(1);
      expect(await notes(tenancy, slug)).toEqual(rows);
    });
  });

  it('restores a deleted tenant under its old slug and id from the archive deleteTenant wrote', async () => {
    const { tenancy } = suite();
    const rows = await seeded(tenancy, 'ex_restored', 'schema');
    const before = await tenancy.getTenant('ex_restored');
    const file = path.join(tmp, 'ex_restored.tar.gz');
    await tenancy.deleteTenant('ex_restored', { archive: file });
    expect((await tenancy.inspectArchive(file)).tenant).toEqual({ id: before.id, slug: 'ex_restored', name: before.name, strategy: 'schema' });
    const restored = await tenancy.importTenant(file);
    expect(restored).toMatchObject({ id: before.id, slug: 'ex_restored', strategy: 'schema', status: 'active' });
    expect(await notes(tenancy, 'ex_restored')).toEqual(rows);
    // Its id is taken now: a second restore of the same archive is refused, a copy under a new id is not.
    await expect(tenancy.importTenant(file, { slug: 'ex_restored_again' })).rejects.toThrow(TenantExistsError);
    await expect(tenancy.importTenant(file, { slug: 'ex_restored_again', id: 'new' })).resolves.toMatchObject({ status: 'active' });
  });

  it('refuses a damaged archive, a truncated one and a foreign format with ArchiveError, creating nothing', async () => {
    const { tenancy } = suite();
    await seeded(tenancy, 'ex_damaged', 'rls');
    const file = path.join(tmp, 'ex_damaged.tar.gz');
    await tenancy.exportTenant('ex_damaged', file);
    const tar = gunzipSync(await readFile(file));
    // One byte of a row changed, the gzip itself intact: only the checksum can tell.
    const at = tar.indexOf('note 7');
    const flipped = Buffer.from(tar);
    flipped[at + 5] = '8'.charCodeAt(0);
    const cases: Record<string, Buffer> = {
      'a changed row': gzipSync(flipped),
      'a truncated file': (await readFile(file)).subarray(0, 200),
      'not an archive': Buffer.from('hello'),
    };
    const before = await footprint();
    // Refused before the first step: the archive is verified whole before anything is created.
    const steps: string[] = [];
    const watched = watching((name) => steps.push(name));
    try {
      for (const [label, bytes] of Object.entries(cases)) {
        const bad = path.join(tmp, `damaged-${label.replaceAll(' ', '-')}.tar.gz`);
        await writeFile(bad, bytes);
        await expect(watched.importTenant(bad, { slug: 'ex_from_damaged', strategy: 'database', id: 'new' }), label).rejects.toThrow(ArchiveError);
      }
    } finally {
      await watched.close();
    }
    expect(steps).toEqual([]);
    const foreign = path.join(tmp, 'foreign.tar.gz');
    await rewriteManifest(file, foreign, (manifest) => ({ ...manifest, format: 'tenancy-archive/9' }));
    await expect(tenancy.importTenant(foreign, { slug: 'ex_from_foreign', id: 'new' })).rejects.toThrow(
      /this version of the library reads tenancy-archive\/2 only/,
    );
    await expect(tenancy.importTenant(path.join(tmp, 'missing.tar.gz'))).rejects.toThrow(/no such file/);
    // A path with line breaks is named on one line (the CLI prints an error as one line; found by its property test).
    const broken = await tenancy.importTenant(path.join(tmp, 'missing', '\n\n')).catch((error: Error) => error);
    expect((broken as Error).message).toMatch(/^Archive ".*missing\/\\n\\n": no such file/);
    expect(await footprint()).toEqual(before);
  });

  it('refuses an archive of a newer schema version, creating nothing, and migrates an older one on the way in', async () => {
    const { tenancy } = suite();
    const v2 = newer().tenancy;
    const olderRows = await seeded(tenancy, 'ex_old', 'schema');
    const newerRows = await seeded(v2, 'ex_new', 'schema');
    const [oldFile, newFile] = [path.join(tmp, 'ex_old.tar.gz'), path.join(tmp, 'ex_new.tar.gz')];
    expect((await tenancy.exportTenant('ex_old', oldFile)).manifest.schemaVersion).toBe('0000_notes');
    expect((await v2.exportTenant('ex_new', newFile)).manifest.schemaVersion).toBe('0001_note_titles');

    const before = await footprint();
    await expect(tenancy.importTenant(newFile, { strategy: 'database' })).rejects.toThrow(
      /schema version 0001_note_titles, which this deployment's migrations do not have/,
    );
    expect(await footprint()).toEqual(before);

    for (const strategy of STRATEGIES) {
      const slug = `ex_old_in_${strategy}`;
      await v2.importTenant(oldFile, { slug, strategy, id: 'new' });
      const { rows } = await v2.queryAs<Note & { title: string }>(slug, 'select id, body, created_by, title from notes order by id');
      expect(rows).toEqual(olderRows.map((row) => ({ ...row, title: 'untitled' })));
    }
    expect(await notes(v2, 'ex_new')).toEqual(newerRows);
  });

  it('a crash before any step of an import leaves nothing serving, and the same call finishes it', async () => {
    const { tenancy } = suite();
    const rows = await seeded(tenancy, 'ex_crash_src', 'rls');
    const file = path.join(tmp, 'ex_crash_src.tar.gz');
    await tenancy.exportTenant('ex_crash_src', file);
    for (const strategy of STRATEGIES) {
      for (const step of tenancy.lifecycleSteps(strategy).import) {
        const slug = `ex_crash_${strategy.slice(0, 3)}_${step.replace(/\W/g, '_')}`.slice(0, 48);
        const crashing = crashingAt(step);
        try {
          await expect(crashing.importTenant(file, { slug, strategy, id: 'new' })).rejects.toThrow(/injected crash/);
        } finally {
          await crashing.close();
        }
        expect((await tenancy.getTenant(slug)).status).toBe('provisioning');
        await expect(tenancy.importTenant(file, { slug, strategy, id: 'new' })).resolves.toMatchObject({ status: 'active' });
        expect(await notes(tenancy, slug)).toEqual(rows);
      }
    }
  });
});
