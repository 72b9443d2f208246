import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import { json, useCliSuite } from './support';

const suite = useCliSuite('tenants');

/** The catalog as the owner reads it: what really landed, not what the CLI says. */
async function catalogSlugs(): Promise<string[]> {
  const { rows } = await suite().admin.query<{ slug: string }>('select slug from tenancy.tenants order by slug');
  return rows.map((r) => r.slug);
}

async function exists(kind: 'schema' | 'database' | 'role', name: string): Promise<boolean> {
  const sql = {
    schema: 'select 1 from pg_namespace where nspname = $1',
    database: 'select 1 from pg_database where datname = $1',
    role: 'select 1 from pg_roles where rolname = $1',
  }[kind];
  return (await suite().admin.query(sql, [name])).rowCount === 1;
}

describe('setup', () => {
  it('installs the tenancy schema with the context key, and running it again changes nothing and succeeds', async () => {
    const { admin, cli } = suite();
    const { rows } = await admin.query<{ n: number }>("select count(*)::int as n from pg_namespace where nspname = 'tenancy'");
    expect(rows[0]!.n).toBe(1);
    const again = await cli(['setup', '--json']);
    expect(again.code).toBe(0);
    expect(json<{ ok: boolean }>(again).ok).toBe(true);
  });
});

describe('create and list', () => {
  it('creates a tenant of each strategy in its own placement, and list --json returns them', async () => {
    const { cli, slug } = suite();
    const rls = slug('acme');
    const schema = slug('globex');
    const database = slug('umbrella');
    for (const [s, strategy] of [
      [rls, 'rls'],
      [schema, 'schema'],
      [database, 'database'],
    ] as const) {
      const created = await cli(['create', '--slug', s, '--name', `Name of ${s}`, '--strategy', strategy, '--json']);
      expect(created.code, created.stderr).toBe(0);
      const tenant = json<Tenant>(created);
      expect(tenant).toMatchObject({ slug: s, strategy, status: 'active' });
      expect(tenant.schemaVersion).toMatch(/^\d{4}_/);
    }
    expect(await exists('schema', `t_${schema}`)).toBe(true);
    expect(await exists('database', `t_${database}`)).toBe(true);

    const listed = await cli(['list', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    const tenants = json<Tenant[]>(listed);
    expect(tenants.filter((t) => [rls, schema, database].includes(t.slug)).map((t) => [t.slug, t.strategy, t.status, t.name])).toEqual(
      expect.arrayContaining([
        [rls, 'rls', 'active', `Name of ${rls}`],
        [schema, 'schema', 'active', `Name of ${schema}`],
        [database, 'database', 'active', `Name of ${database}`],
      ]),
    );
    expect(tenants.map((t) => t.slug).sort()).toEqual(await catalogSlugs());

    const table = await cli(['list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SLUG\s+NAME\s+STRATEGY\s+STATUS\s+VERSION\s+PLACEMENT$/);
    expect(lines.find((line) => line.startsWith(database))).toMatch(new RegExp(`database\\s+active\\s+\\S+\\s+database t_${database}$`));
  });

  it('a second create with the same slug fails (exit 1) and leaves the first as it was', async () => {
    const { cli, slug } = suite();
    const s = slug('twice');
    expect((await cli(['create', '--slug', s, '--name', 'First', '--strategy', 'rls'])).code).toBe(0);
    const again = await cli(['create', '--slug', s, '--name', 'Second', '--strategy', 'schema']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const { rows } = await suite().admin.query('select name, strategy from tenancy.tenants where slug = $1', [s]);
    expect(rows).toEqual([{ name: 'First', strategy: 'rls' }]);
  });
});

describe('bad input: exit 2, and nothing is created', () => {
  const cases: Array<[string, (slug: string) => string[], RegExp]> = [
    ['a slug the library refuses', () => ['--slug', 'Bad-Slug', '--name', 'x', '--strategy', 'rls'], /--slug is not a tenant slug/],
    ['an unknown strategy', (s) => ['--slug', s, '--name', 'x', '--strategy', 'sharded'], /Allowed choices are rls, schema, database/],
    ['an empty name', (s) => ['--slug', s, '--name', '  ', '--strategy', 'rls'], /--name must not be empty/],
    ['a missing option', (s) => ['--slug', s, '--strategy', 'rls'], /required option '--name <name>' not specified/],
    ['an unknown option', (s) => ['--slug', s, '--name', 'x', '--strategy', 'rls', '--tier', 'gold'], /unknown option '--tier'/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const { cli, slug } = suite();
    const before = await catalogSlugs();
    const s = slug('refused');
    const result = await cli(['create', ...args(s)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await catalogSlugs()).toEqual(before);
  });

  it('a missing environment variable is named, and nothing is created', async () => {
    const { cli, slug } = suite();
    const before = await catalogSlugs();
    const result = await cli(['create', '--slug', slug('noenv'), '--name', 'x', '--strategy', 'rls', '--json'], { TENANCY_SECRETS_KEY: undefined });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TENANCY_SECRETS_KEY is missing/);
    expect(json<{ error: { exitCode: number } }>(result).error.exitCode).toBe(2);
    expect(await catalogSlugs()).toEqual(before);
  });
});

describe('delete', () => {
  it('without --yes and without a terminal: refused (exit 4), the tenant stays', async () => {
    const { cli, slug } = suite();
    const s = slug('keep');
    expect((await cli(['create', '--slug', s, '--name', 'Keep', '--strategy', 'schema'])).code).toBe(0);
    const refused = await cli(['delete', s, '--no-archive'], {}, { input: `${s}\n` });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/pass --yes/);
    expect(await catalogSlugs()).toContain(s);
    expect(await exists('schema', `t_${s}`)).toBe(true);
  });

  it('with neither --archive, ARCHIVE_DIR nor --no-archive: a usage error, the tenant stays', async () => {
    const { cli, slug } = suite();
    const s = slug('noplace');
    expect((await cli(['create', '--slug', s, '--name', 'No place', '--strategy', 'rls'])).code).toBe(0);
    const refused = await cli(['delete', s, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--archive <file or directory>.*--no-archive/);
    expect(await catalogSlugs()).toContain(s);
  });

  it('archives the rows to a directory first, then removes the placement, role and catalog entry', async () => {
    const { cli, slug, admin, dir } = suite();
    const s = slug('archived');
    const created = json<Tenant>(await cli(['create', '--slug', s, '--name', 'Archived', '--strategy', 'schema', '--json']));
    await admin.query(`insert into ${`"t_${s}"`}.projects (tenant_id, name) values ($1, 'kept in the archive')`, [created.id]);
    const archives = path.join(dir, 'archives');
    const deleted = await cli(['delete', s, '--archive', `${archives}/`, '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const result = json<{ slug: string; archive: string }>(deleted);
    expect(result.slug).toBe(s);
    expect(readdirSync(archives)).toEqual([path.basename(result.archive)]);
    expect(path.basename(result.archive)).toMatch(new RegExp(`^${s}-\\d{4}-.*\\.tar\\.gz$`));
    // The archive's first entry is its manifest, which `tar` reads as well as `tenancy import` does.
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', result.archive, 'manifest.json'], { encoding: 'utf8' })) as {
      tenant: { slug: string };
      tables: Array<{ name: string; rows: number }>;
    };
    expect(manifest.tenant.slug).toBe(s);
    expect(manifest.tables.find((t) => t.name === 'projects')?.rows).toBe(1);
    expect(execFileSync('tar', ['-xzOf', result.archive, 'tables/projects.copy'], { encoding: 'utf8' })).toContain('kept in the archive');
    expect(await catalogSlugs()).not.toContain(s);
    expect(await exists('schema', `t_${s}`)).toBe(false);
    expect(await exists('role', `t_${s}`)).toBe(false);
  });

  it('--no-archive deletes a database tenant without writing anything', async () => {
    const { cli, slug, dir } = suite();
    const s = slug('gone');
    expect((await cli(['create', '--slug', s, '--name', 'Gone', '--strategy', 'database'])).code).toBe(0);
    const deleted = await cli(['delete', s, '--no-archive', '--yes'], { ARCHIVE_DIR: path.join(dir, 'unused') });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(new RegExp(`Deleted tenant ${s} \\(database\\).*no archive`));
    expect(readdirSync(dir)).not.toContain('unused');
    expect(await catalogSlugs()).not.toContain(s);
    expect(await exists('database', `t_${s}`)).toBe(false);
  });

  it('a tenant that does not exist: exit 1, naming it', async () => {
    const result = await suite().cli(['delete', 'no_such_tenant', '--no-archive', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Tenant "no_such_tenant" does not exist/);
  });
});
