import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tenant } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import { json, useCliSuite } from './support';

const suite = useCliSuite('lifecycle');

async function projectNames(schema: string, tenantId: string): Promise<string[]> {
  const { rows } = await suite().admin.query<{ name: string }>(`select name from ${schema}.projects where tenant_id = $1 order by name`, [tenantId]);
  return rows.map((r) => r.name);
}

describe('export, import and move', () => {
  it('exports a tenant, imports it as a copy of another strategy, and moves the original online', { timeout: 120_000 }, async () => {
    const { cli, slug, admin, dir } = suite();
    const s = slug('shipped');
    const tenant = json<Tenant>(await cli(['create', '--slug', s, '--name', 'Shipped', '--strategy', 'rls', '--json']));
    await admin.query(`insert into public.projects (tenant_id, name) values ($1, 'alpha'), ($1, 'beta')`, [tenant.id]);

    const exported = await cli(['export', s, '--out', `${dir}/`, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const summary = json<{ file: string; bytes: number; tables: Array<{ name: string; rows: number }> }>(exported);
    expect(summary.file.startsWith(dir)).toBe(true);
    expect(summary.tables).toContainEqual({ name: 'projects', rows: 2 });

    const copySlug = slug('shipped_copy');
    const imported = await cli(['import', summary.file, '--slug', copySlug, '--strategy', 'schema', '--new-id', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const copy = json<Tenant>(imported);
    expect(copy).toMatchObject({ slug: copySlug, strategy: 'schema', status: 'active' });
    expect(copy.id).not.toBe(tenant.id);
    expect(await projectNames(`"t_${copySlug}"`, copy.id)).toEqual(['alpha', 'beta']);

    const moved = await cli(['move', s, '--to', 'database']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(new RegExp(`Moved ${s} from rls to database: 2 rows .* its requests waited \\d+ ms`));
    const { rows } = await admin.query('select strategy from tenancy.tenants where slug = $1', [s]);
    expect(rows[0].strategy).toBe('database');
    expect(await projectNames('public', tenant.id)).toEqual([]);
  });

  it('a damaged archive: exit 2, ArchiveError named, no tenant created', async () => {
    const { cli, slug, dir } = suite();
    const bad = path.join(dir, 'damaged.tar.gz');
    writeFileSync(bad, 'not an archive');
    const s = slug('from_damaged');
    const result = await cli(['import', bad, '--slug', s, '--json']);
    expect(result.code).toBe(2);
    expect(json<{ error: { name: string } }>(result).error.name).toBe('ArchiveError');
    const { rowCount } = await suite().admin.query('select 1 from tenancy.tenants where slug = $1', [s]);
    expect(rowCount).toBe(0);
  });

  it('move --to an unknown strategy: exit 2 before anything is opened', async () => {
    const result = await suite().cli(['move', 'anyone', '--to', 'cloud']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are rls, schema, database/);
  });
});
